"""What the drills API accepts and returns, by aggregate. Every drill response carries `exercise: true` and
`marker: "演练"`."""
