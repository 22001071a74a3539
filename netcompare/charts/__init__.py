"""Altair chart builders: a frame in, an alt.Chart out (no streamlit)."""
