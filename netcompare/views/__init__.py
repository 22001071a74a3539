"""The tables pages show, composed from the data layer and the statistics core (no streamlit)."""
