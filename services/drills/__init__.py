"""The emergency drills service (应急演练): plans, shelters and supplies, drills with a live roll-call, after-action."""
