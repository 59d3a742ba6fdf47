"""Photos as tests make them: JPEG with EXIF (GPS, orientation, a maker), PNG, WebP, and a PNG header only."""
import struct
import zlib
from io import BytesIO

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def jpeg(size=(400, 300), *, gps=None, orientation=None, colour=(200, 40, 40), **save) -> bytes:
    """A JPEG whose EXIF names the camera's maker ("PhoneMaker"), with the GPS IFD and orientation given."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update(gps)
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", exif=exif.tobytes(), **save)
    return out.getvalue()


def png(size=(300, 200), mode="RGBA", **save) -> bytes:
    out = BytesIO()
    Image.new(mode, size, (10, 20, 30, 128) if mode == "RGBA" else 90).save(out, "PNG", **save)
    return out.getvalue()


def webp(size=(300, 200)) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    out = BytesIO()
    Image.new("RGB", size, (1, 120, 3)).save(out, "WEBP", exif=exif.tobytes())
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height over one tiny IDAT: enough for Image.open, never decodable."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))
