"""The charts' colours, by name, for both renderers. Chosen to keep contrast on a cheap phone's screen and in print;
a bar that stands out is also told apart by its text table, never by colour alone."""
PAINT = {
    "bar": "#0b57d0", "bar_out": "#c5221f", "band": "#d7efd9", "axis": "#5f6368", "rule": "#137333",
    "mark": "#b06000", "text": "#202124", "title": "#202124", "muted": "#5f6368", "on_dark": "#ffffff",
    "line0": "#0b57d0", "line1": "#b06000",
    "heat0": "#f1f3f4", "heat1": "#c6dafc", "heat2": "#8ab4f8", "heat3": "#4285f4", "heat4": "#174ea6",
}
