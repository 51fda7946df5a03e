"""The static site: page specs, rendering to HTML, and the MkDocs adapter."""
