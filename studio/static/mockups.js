// Platform mock-ups for the sharecard studio: how the rendered cards look
// where they land (an X post, Facebook and LinkedIn link previews, a
// WhatsApp chat, an Instagram story, a TV row). Plain DOM, no libraries.
//
//   window.sharecardMockups.render(container, data)
//
// data = {
//   article: {headline, section, caption, summary?, byline, url, site},
//   images:  {<preset id>: <image URL>},
//   presets: {<preset id>: {width, height, platform}},
// }
//
// The file is plain ASCII (other characters are \u escapes), so it reads
// the same whatever charset it is served with.
//
// render replaces the container's children; call it again whenever the
// images or the article change. Text from data is only ever set with
// textContent, never parsed as HTML.
(function () {
  "use strict";

  // Which rendered preset each platform shows, best first. The first id
  // that has an image is used; the panel says when it is a stand-in.
  var CHOICES = {
    x: ["x-summary-large", "x-post-image", "og"],
    facebook: ["og", "linkedin-image-landscape", "bluesky-link-card", "mastodon-preview-card"],
    linkedin: ["og", "linkedin-image-landscape", "bluesky-link-card", "mastodon-preview-card"],
    whatsapp: ["og", "linkedin-image-landscape", "bluesky-link-card", "mastodon-preview-card"],
    story: ["instagram-story", "facebook-story", "instagram-reel-cover"],
    tv: ["roku-dp-thumbnail", "androidtv-program-card", "ctv-hero-fhd", "ctv-hero-uhd",
      "firetv-background", "youtube-thumb", "tvos-top-shelf", "thumb-16x9"]
  };

  // Icons drawn for these mock-ups: 24x24 view boxes, stroked with
  // currentColor unless the path says otherwise. Constant strings only.
  var ICONS = {
    reply: '<path d="M4 11.5c0-4 3.4-6.5 8-6.5s8 2.6 8 6.3c0 3.8-3.6 6.4-8 6.4H11l-4.5 3.3v-3.9C5.1 16 4 14 4 11.5z"/>',
    repost: '<path d="M7 5 4 8l3 3M4 8h11a3 3 0 0 1 3 3v1M17 19l3-3-3-3M20 16H9a3 3 0 0 1-3-3v-1"/>',
    heart: '<path d="M12 20s-7.5-4.6-7.5-10A4.2 4.2 0 0 1 12 7.6 4.2 4.2 0 0 1 19.5 10c0 5.4-7.5 10-7.5 10z"/>',
    views: '<path d="M5 20V12M10 20V5M15 20v-6M20 20V9"/>',
    bookmark: '<path d="M6.5 4h11v16l-5.5-4-5.5 4z"/>',
    share: '<path d="M12 15V4M7.5 8.5 12 4l4.5 4.5M5 14v5h14v-5"/>',
    send: '<path d="M21 3 10.5 13.5M21 3l-6.5 18-4-7.5L3 9.5z"/>',
    more: '<circle cx="5" cy="12" r="1.6" fill="currentColor" stroke="none"/><circle cx="12" cy="12" r="1.6" fill="currentColor" stroke="none"/><circle cx="19" cy="12" r="1.6" fill="currentColor" stroke="none"/>',
    close: '<path d="M5 5l14 14M19 5 5 19"/>',
    globe: '<circle cx="12" cy="12" r="8.5"/><path d="M3.5 12h17M12 3.5c2.5 2.6 3.5 5.4 3.5 8.5s-1 5.9-3.5 8.5c-2.5-2.6-3.5-5.4-3.5-8.5s1-5.9 3.5-8.5z"/>',
    like: '<path d="M8 10v10H4V10zM8 10l4-7c1.6 0 2.5 1 2.2 2.6L13.6 9H19a2 2 0 0 1 2 2.3l-1.2 6.8A2.3 2.3 0 0 1 17.5 20H8"/>',
    comment: '<path d="M4 5h16v11H9l-5 4z"/>',
    back: '<path d="M19 12H5M11 6l-6 6 6 6"/>',
    video: '<path d="M3.5 7h11v10h-11zM14.5 10.5 20.5 7v10l-6-3.5"/>',
    phone: '<path d="M6.5 3.5h3l1.5 4-2 1.5a11 11 0 0 0 6 6l1.5-2 4 1.5v3a2 2 0 0 1-2 2A16.5 16.5 0 0 1 4.5 5.5a2 2 0 0 1 2-2z"/>',
    ticks: '<path d="M2 13l4 4 8-9M10 15.5l1.5 1.5 8-9"/>',
    smile: '<circle cx="12" cy="12" r="8.5"/><path d="M8.5 14c1.8 2 5.2 2 7 0"/><circle cx="9.2" cy="9.8" r="1" fill="currentColor" stroke="none"/><circle cx="14.8" cy="9.8" r="1" fill="currentColor" stroke="none"/>',
    mic: '<path d="M12 3.5a2.8 2.8 0 0 1 2.8 2.8v5.4a2.8 2.8 0 0 1-5.6 0V6.3A2.8 2.8 0 0 1 12 3.5zM6.5 11.5a5.5 5.5 0 0 0 11 0M12 17v3.5"/>',
    plus: '<path d="M12 5v14M5 12h14"/>',
    repostLI: '<path d="M17 3l3 3-3 3M20 6H8a4 4 0 0 0-4 4v1M7 21l-3-3 3-3M4 18h12a4 4 0 0 0 4-4v-1"/>'
  };

  function icon(name, cls) {
    var span = document.createElement("span");
    span.className = "scm-icon" + (cls ? " " + cls : "");
    span.setAttribute("aria-hidden", "true");
    // ICONS holds constant markup written above, never data.
    span.innerHTML = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">' + (ICONS[name] || "") + "</svg>";
    return span;
  }

  // el makes an element with a class, children (elements or strings, set
  // as text) and optional attributes.
  function el(tag, cls, children, attrs) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    (children || []).forEach(function (c) {
      if (c == null || c === false) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // text makes an element holding text that may be right to left.
  function text(tag, cls, s) {
    return el(tag, cls, [s || ""], { dir: "auto" });
  }

  function img(src, cls, alt) {
    var i = el("img", cls, null, { src: src, alt: alt || "", draggable: "false" });
    return i;
  }

  // domainOf returns the host name of the article, without "www.".
  function domainOf(a) {
    if (a.site) return String(a.site).replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    try {
      return new URL(a.url).hostname.replace(/^www\./, "");
    } catch (e) {
      return "example.com";
    }
  }

  // siteName is the publisher's display name: the byline, else the domain.
  function siteName(a) {
    return a.byline || domainOf(a);
  }

  // pick returns {id, url, preset, fallback} for the first available
  // preset in the list, or null.
  function pick(data, list) {
    for (var i = 0; i < list.length; i++) {
      var id = list[i];
      if (data.images[id]) {
        return { id: id, url: data.images[id], preset: data.presets[id] || null, fallback: i > 0, wanted: list[0] };
      }
    }
    return null;
  }

  // aspect returns width/height of a chosen image, or def.
  function aspect(choice, def) {
    var p = choice && choice.preset;
    return p && p.width > 0 && p.height > 0 ? p.width / p.height : def;
  }

  function sizeText(choice) {
    var p = choice.preset;
    return choice.id + (p ? " " + p.width + "\u00d7" + p.height : "");
  }

  // panel wraps one mock-up with its caption: platform, preset used, notes.
  function panel(kind, title, choice, note, body) {
    var cap = el("figcaption", "scm-caption", [
      el("strong", null, [title]),
      choice ? el("span", "scm-preset", [sizeText(choice)]) : null,
      choice && choice.fallback ? el("span", "scm-fallback", ["stand-in: " + choice.wanted + " not rendered"]) : null,
      note ? el("span", "scm-note", [note]) : null
    ]);
    return el("figure", "scm-panel scm-panel-" + kind, [body, cap]);
  }

  // missing is the body of a panel whose presets were all left out.
  function missing(list) {
    return el("div", "scm-missing", ["No image: render one of " + list.join(", ") + " to see this mock-up."]);
  }

  function avatar(a, cls) {
    var name = siteName(a);
    var letter = (name.replace(/[^\p{L}\p{N}]/gu, "")[0] || "N").toUpperCase();
    return el("span", "scm-avatar " + (cls || ""), [letter], { "aria-hidden": "true" });
  }

  function handleOf(a) {
    var d = domainOf(a).split(".")[0] || "news";
    return "@" + d.replace(/[^A-Za-z0-9_]/g, "").slice(0, 15);
  }

  // ---- X ---------------------------------------------------------------

  function xPost(data) {
    var a = data.article, c = pick(data, CHOICES.x);
    if (!c) return panel("x", "X post", null, null, missing(CHOICES.x));
    var card = el("div", "scm-x-card", [
      el("div", "scm-x-media", [
        img(c.url, "scm-cover", a.headline),
        el("span", "scm-x-domain", [domainOf(a)])
      ])
    ]);
    var counts = [["reply", "24"], ["repost", "51"], ["heart", "312"], ["views", "18K"]];
    var actions = el("div", "scm-x-actions", counts.map(function (p) {
      return el("span", "scm-x-action", [icon(p[0]), el("span", null, [p[1]])]);
    }).concat([el("span", "scm-x-action scm-x-right", [icon("bookmark"), icon("share")])]));
    var body = el("div", "scm-x", [
      avatar(a, "scm-x-avatar"),
      el("div", "scm-x-main", [
        el("div", "scm-x-head", [
          el("span", "scm-x-name", [siteName(a)]),
          el("span", "scm-x-handle", [handleOf(a) + " \u00b7 2h"]),
          icon("more", "scm-x-more")
        ]),
        text("div", "scm-x-text", a.headline),
        card,
        el("div", "scm-x-from", ["From " + domainOf(a)]),
        actions
      ])
    ]);
    return panel("x", "X post", c, "large card shown at 1.91:1, cover-cropped; no headline, only the domain", body);
  }

  // ---- Facebook ----------------------------------------------------------

  function facebook(data) {
    var a = data.article, c = pick(data, CHOICES.facebook);
    if (!c) return panel("facebook", "Facebook link", null, null, missing(CHOICES.facebook));
    var desc = a.summary || a.caption || "";
    var body = el("div", "scm-fb", [
      el("div", "scm-fb-head", [
        avatar(a, "scm-fb-avatar"),
        el("div", "scm-fb-who", [
          el("div", "scm-fb-name", [siteName(a)]),
          el("div", "scm-fb-meta", ["2h \u00b7 ", icon("globe", "scm-fb-globe")])
        ]),
        icon("more", "scm-fb-more")
      ]),
      text("div", "scm-fb-text", a.summary || a.headline),
      el("div", "scm-fb-link", [
        el("div", "scm-fb-media", [img(c.url, "scm-cover", a.headline)]),
        el("div", "scm-fb-foot", [
          el("div", "scm-fb-domain", [domainOf(a).toUpperCase()]),
          text("div", "scm-fb-title", a.headline),
          desc ? text("div", "scm-fb-desc", desc) : null
        ])
      ]),
      el("div", "scm-fb-counts", [el("span", "scm-fb-reacts", [icon("like")]), el("span", "scm-fb-count", ["128"]), el("span", "scm-fb-right", ["14 comments \u00b7 9 shares"])]),
      el("div", "scm-fb-actions", [
        el("span", null, [icon("like"), "Like"]),
        el("span", null, [icon("comment"), "Comment"]),
        el("span", null, [icon("share"), "Share"])
      ])
    ]);
    return panel("facebook", "Facebook link", c, "1.91:1 above the page title", body);
  }

  // ---- LinkedIn ------------------------------------------------------------

  function linkedin(data) {
    var a = data.article, c = pick(data, CHOICES.linkedin);
    if (!c) return panel("linkedin", "LinkedIn link", null, null, missing(CHOICES.linkedin));
    var body = el("div", "scm-li", [
      el("div", "scm-li-head", [
        avatar(a, "scm-li-avatar"),
        el("div", "scm-li-who", [
          el("div", "scm-li-name", [siteName(a)]),
          el("div", "scm-li-sub", ["12,408 followers"]),
          el("div", "scm-li-sub", ["2h \u00b7 ", icon("globe", "scm-li-globe")])
        ]),
        el("span", "scm-li-follow", ["+ Follow"])
      ]),
      text("div", "scm-li-text", a.headline),
      el("div", "scm-li-link", [
        el("div", "scm-li-media", [img(c.url, "scm-cover", a.headline)]),
        el("div", "scm-li-foot", [
          text("div", "scm-li-title", a.headline),
          el("div", "scm-li-domain", [domainOf(a) + " \u00b7 3 min read"])
        ])
      ]),
      el("div", "scm-li-actions", [
        el("span", null, [icon("like"), "Like"]),
        el("span", null, [icon("comment"), "Comment"]),
        el("span", null, [icon("repostLI"), "Repost"]),
        el("span", null, [icon("send"), "Send"])
      ])
    ]);
    return panel("linkedin", "LinkedIn link", c, "1.91:1, title and domain below", body);
  }

  // ---- WhatsApp ------------------------------------------------------------

  function whatsapp(data) {
    var a = data.article, c = pick(data, CHOICES.whatsapp);
    if (!c) return panel("whatsapp", "WhatsApp chat", null, null, missing(CHOICES.whatsapp));
    var desc = a.summary || a.caption || "";
    var url = a.url || "https://" + domainOf(a) + "/";
    var bubble = el("div", "scm-wa-bubble scm-wa-out", [
      el("div", "scm-wa-preview", [
        el("div", "scm-wa-thumb", [img(c.url, "scm-cover", a.headline)]),
        el("div", "scm-wa-ptext", [
          text("div", "scm-wa-title", a.headline),
          desc ? text("div", "scm-wa-desc", desc) : null,
          el("div", "scm-wa-domain", [domainOf(a)])
        ])
      ]),
      el("div", "scm-wa-msg", [el("span", "scm-wa-url", [url])]),
      el("div", "scm-wa-time", ["14:32", icon("ticks", "scm-wa-ticks")])
    ]);
    var incoming = el("div", "scm-wa-bubble scm-wa-in", [
      el("div", "scm-wa-msg", ["Have you seen this?"]),
      el("div", "scm-wa-time", ["14:31"])
    ]);
    var body = el("div", "scm-wa", [
      el("div", "scm-wa-bar", [
        icon("back"),
        el("span", "scm-avatar scm-wa-avatar", ["N"]),
        el("div", "scm-wa-who", [el("div", "scm-wa-name", ["Newsroom"]), el("div", "scm-wa-status", ["online"])]),
        icon("video"), icon("phone"), icon("more")
      ]),
      el("div", "scm-wa-chat", [el("div", "scm-wa-day", ["Today"]), incoming, bubble]),
      el("div", "scm-wa-input", [
        el("div", "scm-wa-field", [icon("smile"), el("span", null, ["Message"]), icon("plus")]),
        el("span", "scm-wa-mic", [icon("mic")])
      ])
    ]);
    return panel("whatsapp", "WhatsApp chat", c, "compact preview: a centred square crop of the image", body);
  }

  // ---- Instagram story -------------------------------------------------------

  function story(data) {
    var a = data.article, c = pick(data, CHOICES.story);
    if (!c) return panel("story", "Instagram story", null, null, missing(CHOICES.story));
    var bars = el("div", "scm-ig-bars", [0, 1, 2].map(function (i) {
      return el("span", "scm-ig-bar" + (i === 0 ? " scm-ig-bar-done" : i === 1 ? " scm-ig-bar-now" : ""), [el("i")]);
    }));
    var head = el("div", "scm-ig-head", [
      avatar(a, "scm-ig-avatar"),
      el("span", "scm-ig-name", [handleOf(a).slice(1)]),
      el("span", "scm-ig-time", ["2h"]),
      el("span", "scm-ig-tools", [icon("more"), icon("close")])
    ]);
    var foot = el("div", "scm-ig-foot", [
      el("div", "scm-ig-reply", ["Send message"]),
      icon("heart", "scm-ig-icon"),
      icon("send", "scm-ig-icon")
    ]);
    var frame = el("div", "scm-ig", [
      img(c.url, "scm-cover", a.headline),
      el("div", "scm-ig-shade-top"), el("div", "scm-ig-shade-bottom"),
      bars, head, foot
    ]);
    frame.style.aspectRatio = "9 / 16";
    return panel("story", "Instagram story", c, "app UI drawn where the app puts it (top ~14%, bottom ~20%)", el("div", "scm-phone", [frame]));
  }

  // ---- TV row ----------------------------------------------------------------

  function tv(data) {
    var a = data.article, c = pick(data, CHOICES.tv);
    if (!c) return panel("tv", "TV row", null, null, missing(CHOICES.tv));
    var r = aspect(c, 16 / 9);
    var tiles = [];
    var shades = ["#2b3440", "#3d2f3a", "#2f3b33", "#3a3527", "#27323f"];
    for (var i = 0; i < 5; i++) {
      var t;
      if (i === 1) {
        t = el("div", "scm-tv-tile scm-tv-focus", [
          el("div", "scm-tv-art", [img(c.url, "scm-cover", a.headline)]),
          el("div", "scm-tv-label", [
            text("div", "scm-tv-title", a.headline),
            el("div", "scm-tv-sub", [a.section ? text("span", null, a.section) : null, a.section ? " \u00b7 2h ago" : "2h ago"])
          ])
        ]);
      } else {
        t = el("div", "scm-tv-tile", [el("div", "scm-tv-art scm-tv-other")]);
        t.firstChild.style.background = "linear-gradient(135deg, " + shades[i] + ", #15191f)";
      }
      t.style.setProperty("--scm-tile-aspect", String(r));
      tiles.push(t);
    }
    var others = [];
    for (var j = 0; j < 6; j++) {
      var o = el("div", "scm-tv-tile", [el("div", "scm-tv-art scm-tv-other")]);
      o.firstChild.style.background = "linear-gradient(160deg, " + shades[(j + 2) % shades.length] + ", #15191f)";
      o.style.setProperty("--scm-tile-aspect", String(r));
      others.push(o);
    }
    var nav = ["Home", "Live", "Top stories", "World", "Search"].map(function (n) { return el("span", null, [n]); });
    var screen = el("div", "scm-tv", [
      el("div", "scm-tv-hero", [el("div", "scm-tv-brand", [siteName(a)]), el("div", "scm-tv-nav", nav)]),
      el("div", "scm-tv-row-title", ["Top stories"]),
      el("div", "scm-tv-row", tiles),
      el("div", "scm-tv-row-title scm-tv-row2-title", ["Latest"]),
      el("div", "scm-tv-row scm-tv-row2", others)
    ]);
    return panel("tv", "TV row", c, "focused tile enlarged; neighbours are other stories", screen);
  }

  function render(container, data) {
    data = data || {};
    data.article = data.article || {};
    data.images = data.images || {};
    data.presets = data.presets || {};
    var root = el("div", "scm-root", [
      el("div", "scm-grid", [xPost(data), facebook(data), linkedin(data), whatsapp(data), story(data)]),
      tv(data)
    ]);
    container.replaceChildren(root);
  }

  window.sharecardMockups = { render: render, choices: CHOICES };
})();
