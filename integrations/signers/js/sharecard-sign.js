'use strict';
// Sign sharecard card URLs (Node.js, no dependencies).
//
//   const { signCardURL } = require('./sharecard-sign.js');
//   const url = signCardURL(key, 'https://cards.example.com', 'standard', 'og', 'jpg',
//                           { headline: 'Rates rise', section: 'Economy' });
//
// The signature is the lowercase hex HMAC-SHA256, under the key, of
//   <path> "\n" <canonical query>
// where the canonical query is every parameter but sig, each name and value
// normalised to Unicode NFC and percent-encoded byte by byte keeping only
// A-Z a-z 0-9 - . _ ~ (uppercase hex), the name=value pairs sorted by encoded
// name then encoded value, joined with "&". See docs/readme-signing.md and
// integrations/signers/vectors.json.
//
// Run as a program, it reads {"cases": [...]} as JSON on stdin and prints the
// signatures (the cross-language tests use this).

const crypto = require('crypto');

function isUnreserved(b) {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
}

// encode percent-encodes the NFC UTF-8 bytes of text, keeping only unreserved characters.
function encode(text) {
  let out = '';
  for (const b of Buffer.from(String(text).normalize('NFC'), 'utf8')) {
    out += isUnreserved(b) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// canonicalQuery returns the canonical query of params (an object of name to text); sig is left out.
function canonicalQuery(params) {
  const pairs = Object.keys(params).filter((k) => k !== 'sig').map((k) => [encode(k), encode(params[k])]);
  // The encoded strings are ASCII, so comparing code units is byte order.
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  pairs.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  return pairs.map((p) => p[0] + '=' + p[1]).join('&');
}

// cardPath returns the path of a card, e.g. /v1/card/standard/og.jpg.
function cardPath(layout, preset, ext) {
  return '/v1/card/' + layout + '/' + preset + '.' + ext;
}

// signingString returns the string the sig parameter signs.
function signingString(path, params) {
  return path + '\n' + canonicalQuery(params);
}

// cardSignature returns the hex sig of a card; key is a string (its UTF-8 bytes) or a Buffer.
function cardSignature(key, path, params) {
  return crypto.createHmac('sha256', key).update(signingString(path, params), 'utf8').digest('hex');
}

// signCardURL returns the signed card URL; its query is the canonical query.
function signCardURL(key, base, layout, preset, ext, params) {
  const query = canonicalQuery(params);
  const sig = cardSignature(key, cardPath(layout, preset, ext), params);
  return base.replace(/\/+$/, '') + '/v1/card/' + encodeURIComponent(layout) + '/' + preset + '.' + ext +
    '?' + (query ? query + '&' : '') + 'sig=' + sig;
}

module.exports = { canonicalQuery, cardPath, signingString, cardSignature, signCardURL };

if (require.main === module) {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    const { cases } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const results = cases.map((c) => {
      const path = cardPath(c.layout, c.preset, c.ext);
      const sig = cardSignature(c.key, path, c.params);
      // The same signature on a query encoded by URLSearchParams (+ for
      // space, * kept, ~ encoded): the server decodes either.
      const native = new URLSearchParams(c.params);
      native.append('sig', sig);
      return {
        signing_string: signingString(path, c.params),
        sig,
        url: signCardURL(c.key, c.base, c.layout, c.preset, c.ext, c.params),
        native_url: c.base.replace(/\/+$/, '') + path + '?' + native.toString(),
      };
    });
    process.stdout.write(JSON.stringify({ results }) + '\n');
  });
}
