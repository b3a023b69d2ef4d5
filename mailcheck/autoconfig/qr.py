"""The QR code of a URL as inline SVG markup, for a phone to scan it from a computer's screen.

Drawn from the ``qrcode`` package's module matrix as one path of horizontal runs, with
presentation attributes only: the site's Content-Security-Policy forbids style attributes, which
the package's own SVG images carry in some versions, and this keeps the markup small.
"""

from __future__ import annotations

from html import escape

import qrcode  # type: ignore[import-untyped]
from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

# The quiet zone around the code, in modules (ISO/IEC 18004 asks for four).
BORDER = 4


def qr_svg(data: str, *, title: str, css_class: str = "qr-code") -> str:
    """SVG markup for ``data``. ``title`` names the image for screen readers (escaped here)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start},{y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg class="{escape(css_class)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="{escape(title)}" '
        f'shape-rendering="crispEdges">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/>'
        "</svg>"
    )
