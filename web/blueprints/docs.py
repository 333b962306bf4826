"""The interactive API documentation's assets, served from the installed package (no CDN)."""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

blp = Blueprint("docs_assets", __name__, url_prefix="/api/docs/assets")


@blp.route("/<path:filename>")
def asset(filename: str) -> Response:
    """A Swagger UI file (JavaScript, CSS, images)."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
