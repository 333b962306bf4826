"""The console: the pages people of the office work in, served by the same app as the API."""

from web.console import discipline, lists, signing
from web.console.pages import blp

__all__ = ["blp", "discipline", "lists", "signing"]
