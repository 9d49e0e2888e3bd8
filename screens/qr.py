"""A QR picture for the screens (the ОПЛАТИ payment link): black modules on white."""
from __future__ import annotations

import pygame
import qrcode


def qr_surface(data: str) -> pygame.Surface:
    """The ОПЛАТИ payment link as a QR picture (black modules on white, with a quiet zone)."""
    qr = qrcode.QRCode(border=2)
    qr.add_data(data)
    qr.make(fit=True)
    m = qr.get_matrix()
    n = len(m)
    surf = pygame.Surface((n, n))
    surf.fill((255, 255, 255))
    for y, row in enumerate(m):
        for x, on in enumerate(row):
            if on:
                surf.set_at((x, y), (0, 0, 0))
    return pygame.transform.scale(surf, (n * 8, n * 8))
