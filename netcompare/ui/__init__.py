"""The only Streamlit-aware part of netcompare: cached loaders, shared filters, widgets."""
