"""Ayuda, an open-source service desk."""
