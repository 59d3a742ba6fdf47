"""Photos are sniffed from their bytes and cleaned before they are kept: no servers, just photos.clean()."""
from io import BytesIO

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from services.mediation import photos
from services.mediation.config import SETTINGS
from shared.errors import Invalid
from tests.support.photos import jpeg, png, png_header_only, webp


def refused(data: bytes):
    with pytest.raises(Invalid) as e:
        photos.clean(data, field="photos")
    assert e.value.status == 422 and e.value.field == "photos"
    return e.value.message


def opened(cleaned: photos.Cleaned) -> Image.Image:
    return Image.open(BytesIO(cleaned.content))


# ---- sniffing: the bytes decide, never a name or a declared type ------------------------------------

@pytest.mark.parametrize("data, expected", [
    (jpeg(), "JPEG"), (png(), "PNG"), (webp(), "WEBP"),
    (b"<!doctype html><script>alert(1)</script>", None),  # HTML sent as photo.png
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", None),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', None),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", None),
    (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),  # RIFF, but not WebP
    (b"", None),
])
def test_the_type_is_sniffed_from_the_magic_number(data, expected):
    assert photos.sniff(data) == expected


def test_what_is_not_a_jpeg_png_or_webp_is_refused():
    gif = BytesIO()
    Image.new("RGB", (20, 20)).save(gif, "GIF")
    for data in (b"<html><body onload=alert(1)>", gif.getvalue(), b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                 b"%PDF-1.4\n1 0 obj", b""):
        assert refused(data).code == "mediation.photo_type"


def test_html_behind_a_png_magic_number_is_damaged_not_kept():
    assert refused(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>").code == "mediation.photo_damaged"


# ---- size and pixels ----------------------------------------------------------------------------------

def test_a_file_over_the_byte_limit_is_refused_before_anything_else():
    reason = refused(b"\xff\xd8\xff" + b"\x00" * SETTINGS.PHOTO_MAX_BYTES)
    assert reason.code == "mediation.photo_too_large" and reason.params == {"max_mb": "5"}


@pytest.fixture(scope="module")
def forty_megapixels() -> bytes:
    out = BytesIO()
    Image.new("L", (8000, 5000), 128).save(out, "PNG")  # a flat colour: tens of kilobytes on the wire
    return out.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    def refuse(self, *a, **kw):
        raise AssertionError("pixels were decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)


def test_too_many_pixels_are_refused_from_the_header_without_decoding(forty_megapixels, no_decoding):
    assert len(forty_megapixels) < SETTINGS.PHOTO_MAX_BYTES
    reason = refused(forty_megapixels)
    assert reason.code == "mediation.photo_too_many_pixels"
    assert reason.params == {"pixels": 40_000_000, "max_pixels": SETTINGS.PHOTO_MAX_PIXELS}


def test_a_decompression_bomb_beyond_pillows_own_limit_is_refused_with_its_pixel_count(no_decoding):
    reason = refused(png_header_only(30_000, 20_000))  # 600 MP: Pillow itself raises DecompressionBombError
    assert reason.code == "mediation.photo_too_many_pixels" and reason.params["pixels"] == 600_000_000


# ---- damaged files -------------------------------------------------------------------------------------

def test_a_truncated_jpeg_is_damaged():
    data = jpeg((1200, 900), colour=(10, 200, 30))
    assert refused(data[: len(data) // 2]).code == "mediation.photo_damaged"


def test_a_png_claiming_pixels_it_does_not_have_is_damaged():
    assert refused(png_header_only(400, 300)).code == "mediation.photo_damaged"


def test_a_corrupt_webp_is_damaged():
    data = webp()
    assert refused(data[:20] + b"\x00" * (len(data) - 20)).code == "mediation.photo_damaged"


# ---- what is kept -------------------------------------------------------------------------------------

def test_gps_is_read_then_no_metadata_at_all_survives():
    gps = {1: "N", 2: (30.0, 15.0, 36.0), 3: "E", 4: (120.0, 9.0, 0.0)}
    data = jpeg(gps=gps, comment=b"owner 13800138000")
    assert b"Exif" in data and b"PhoneMaker" in data
    c = photos.clean(data)
    assert c.gps == (30.26, 120.15)
    assert c.content_type == "image/jpeg" and opened(c).format == "JPEG"
    assert dict(opened(c).getexif()) == {}
    for marker in (b"Exif", b"GPS", b"PhoneMaker", b"13800138000", b"ICC_PROFILE", b"http://ns.adobe.com/xap"):
        assert marker not in c.content


def test_gps_south_and_west_are_negative():
    c = photos.clean(jpeg(gps={1: "S", 2: (33.0, 52.0, 12.0), 3: "W", 4: (70.0, 30.0, 0.0)}))
    assert c.gps == (-33.87, -70.5)


def test_no_gps_in_the_exif_is_none():
    assert photos.clean(jpeg()).gps is None


def test_a_phone_photo_is_scaled_to_the_longest_side():
    c = photos.clean(jpeg((4000, 3000)))
    assert (c.width, c.height) == (1600, 1200) == opened(c).size


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    c = photos.clean(jpeg((4000, 3000), orientation=6))  # the phone was held upright
    assert (c.width, c.height) == (1200, 1600) == opened(c).size


def test_a_small_photo_keeps_its_size():
    c = photos.clean(jpeg((640, 480)))
    assert (c.width, c.height) == (640, 480)


def test_png_stays_png_without_its_text_and_colour_profile():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "居民 13800138000")
    data = png((2400, 600), pnginfo=info, icc_profile=b"\x00" * 200)
    c = photos.clean(data)
    assert c.content_type == "image/png" and opened(c).format == "PNG"
    assert (c.width, c.height) == (1600, 400)
    assert opened(c).mode == "RGBA" and not opened(c).text and "icc_profile" not in opened(c).info
    assert b"13800138000" not in c.content and b"iCCP" not in c.content and b"tEXt" not in c.content


def test_webp_stays_webp_without_exif():
    c = photos.clean(webp())
    assert c.content_type == "image/webp" and opened(c).format == "WEBP"
    assert b"EXIF" not in c.content and b"PhoneMaker" not in c.content
    assert dict(opened(c).getexif()) == {}


def test_a_palette_png_is_kept_as_pixels():
    out = BytesIO()
    Image.new("P", (50, 50), 3).save(out, "PNG", transparency=3)
    c = photos.clean(out.getvalue())
    assert c.content_type == "image/png" and opened(c).mode == "RGBA"


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    from PIL import JpegImagePlugin

    asked = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        asked.append((mode, size))
        return draft(self, mode, size)
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    c = photos.clean(jpeg((4000, 3000)))
    assert asked == [("RGB", (1600, 1200))] and (c.width, c.height) == (1600, 1200)


def test_a_phones_multi_picture_jpeg_keeps_its_first_picture_alone():
    out = BytesIO()
    first, hidden = Image.new("RGB", (2000, 1000), (255, 0, 0)), Image.new("RGB", (2000, 1000), (0, 255, 0))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 1.0, 0.0), 3: "E", 4: (120.0, 0.0, 0.0)})
    first.save(out, "MPO", save_all=True, append_images=[hidden], exif=exif.tobytes())
    c = photos.clean(out.getvalue())
    assert c.gps == (30.016667, 120.0) and (c.width, c.height) == (1600, 800)
    assert c.content.count(b"\xff\xd8") == 1 and b"MPF" not in c.content and opened(c).format == "JPEG"
    assert opened(c).getpixel((10, 10))[0] > 200  # the first picture's red, not the hidden green
