"""`python -m localrun` runs the product (what `make run` does); `python -m localrun reset-password USERNAME`."""
import sys

from localrun.launcher import main

sys.exit(main())
