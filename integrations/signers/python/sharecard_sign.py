"""Sign sharecard card URLs (Python 3, standard library only).

    from sharecard_sign import sign_card_url
    url = sign_card_url(key, "https://cards.example.com", "standard", "og", "jpg",
                        {"headline": "Rates rise", "section": "Economy"})

The signature is the lowercase hex HMAC-SHA256, under the key, of

    <path> "\n" <canonical query>

where the canonical query is every parameter but sig, each name and value
normalised to Unicode NFC and percent-encoded byte by byte keeping only
A-Z a-z 0-9 - . _ ~ (uppercase hex), the name=value pairs sorted by
encoded name then encoded value, joined with "&". See docs/readme-signing.md
and integrations/signers/vectors.json.

Run as a program, it reads {"cases": [...]} as JSON on stdin and prints the
signatures (the cross-language tests use this).
"""

import hashlib
import hmac
import json
import sys
import unicodedata
from urllib.parse import quote, urlencode

_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def _encode(text):
    """Percent-encodes the NFC UTF-8 bytes of text, keeping only unreserved characters."""
    out = []
    for byte in unicodedata.normalize("NFC", str(text)).encode("utf-8"):
        out.append(chr(byte) if byte in _UNRESERVED else "%%%02X" % byte)
    return "".join(out)


def canonical_query(params):
    """Returns the canonical query of params (a dict of name to text); sig is left out."""
    pairs = sorted((_encode(k), _encode(v)) for k, v in params.items() if k != "sig")
    return "&".join(k + "=" + v for k, v in pairs)


def card_path(layout, preset, ext):
    """Returns the path of a card, e.g. /v1/card/standard/og.jpg."""
    return "/v1/card/%s/%s.%s" % (layout, preset, ext)


def signing_string(path, params):
    """Returns the string the sig parameter signs."""
    return path + "\n" + canonical_query(params)


def card_signature(key, path, params):
    """Returns the hex sig of a card; key is text or bytes."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    msg = signing_string(path, params).encode("ascii")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def sign_card_url(key, base, layout, preset, ext, params):
    """Returns the signed card URL; its query is the canonical query."""
    path = card_path(layout, preset, ext)
    query = canonical_query(params)
    sig = card_signature(key, path, params)
    url_path = "/v1/card/%s/%s.%s" % (quote(layout, safe=""), preset, ext)
    return base.rstrip("/") + url_path + "?" + (query + "&" if query else "") + "sig=" + sig


def _main():
    cases = json.load(sys.stdin)["cases"]
    results = []
    for c in cases:
        path = card_path(c["layout"], c["preset"], c["ext"])
        sig = card_signature(c["key"], path, c["params"])
        native = dict(c["params"])
        native["sig"] = sig
        results.append({
            "signing_string": signing_string(path, c["params"]),
            "sig": sig,
            "url": sign_card_url(c["key"], c["base"], c["layout"], c["preset"], c["ext"], c["params"]),
            # The same signature on a query encoded by urlencode (+ for
            # space, ~ kept, * encoded): the server decodes either.
            "native_url": c["base"].rstrip("/") + path + "?" + urlencode(native),
        })
    json.dump({"results": results}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    _main()
