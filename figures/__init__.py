"""Pure figure builders (data in, `go.Figure` out); they never import Dash."""
