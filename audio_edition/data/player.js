(function () {
  "use strict";
  var M = __MANIFEST__;
  var SRC = __SRC__;
  var CSS = __CSS__;
  var root = document.getElementById(__ROOT_ID__);
  if (!root) return;

  if (CSS && !document.getElementById("ae-style")) {
    var style = document.createElement("style");
    style.id = "ae-style";
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h ? h + ":" + pad(m) + ":" + pad(r) : m + ":" + pad(r);
  }

  // --- the player bar -------------------------------------------------------------------------
  root.classList.add("ae-player");
  var headline = el("h1", {});
  root.appendChild(headline);
  var meta = el("p", { "class": "ae-meta" }, M.publication || "");
  if (M.date) {
    // the edition's date as the page's language writes it ("1 December 2026", "1. Dezember 2026")
    var written = M.date;
    try {
      written = new Date(M.date + "T12:00:00Z").toLocaleDateString(M.language || undefined,
        { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
    } catch (e) { /* an unknown language tag: the ISO date */ }
    if (M.publication) meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("time", { datetime: M.date }, written));
  }
  root.appendChild(meta);

  var bar = el("div", { "class": "ae-bar", role: "group", "aria-label": "Audio player" });
  bar.appendChild(el("span", { "class": "ae-label" }, "Listen to Today's Edition:"));
  var play = el("button", { type: "button", "class": "ae-play", "aria-label": "Play" }, "Play");
  var back = el("button", { type: "button", "aria-label": "Back 15 seconds" }, "−15s");
  var ahead = el("button", { type: "button", "aria-label": "Forward 30 seconds" }, "+30s");
  var time = el("span", { "class": "ae-time", role: "timer", "aria-label": "Position and duration" });
  var pos = el("span", { "class": "ae-pos" }, "0:00");
  var dur = el("span", { "class": "ae-dur" }, clock(M.audio.duration_ms / 1000));
  time.appendChild(pos);
  time.appendChild(document.createTextNode(" / "));
  time.appendChild(dur);
  var seek = el("input", { type: "range", "class": "ae-seek", min: "0", step: "0.1", value: "0",
                           max: String(M.audio.duration_ms / 1000), "aria-label": "Seek" });
  var volume = el("input", { type: "range", "class": "ae-volume", min: "0", max: "100", step: "1",
                             value: "100", "aria-label": "Volume" });
  var volumeValue = el("span", { "class": "ae-volume-value", "aria-hidden": "true" }, "100");
  var speed = el("select", { "class": "ae-speed", "aria-label": "Playback speed" });
  [0.75, 1, 1.25, 1.5, 2].forEach(function (rate) {
    var option = el("option", { value: String(rate) }, rate + "×");
    if (rate === 1) option.selected = true;
    speed.appendChild(option);
  });
  // the volume keeps its label and its value beside it, so it never passes for a second seek bar
  var volumeGroup = el("span", { "class": "ae-vol" });
  volumeGroup.appendChild(el("span", { "class": "ae-vol-label", "aria-hidden": "true" }, "Vol."));
  volumeGroup.appendChild(volume);
  volumeGroup.appendChild(volumeValue);
  [play, back, ahead, time, seek, volumeGroup, speed].forEach(function (n) { bar.appendChild(n); });
  root.appendChild(bar);

  var audio = el("audio", { preload: "metadata", src: SRC });
  root.appendChild(audio);

  // --- chapters and the read-along text -------------------------------------------------------
  var chapterButtons = [];
  if (M.chapters && M.chapters.length > 1) {
    var nav = el("nav", { "aria-label": "Chapters" });
    var list = el("ol", { "class": "ae-chapters" });
    M.chapters.forEach(function (chapter) {
      var item = el("li");
      var button = el("button", { type: "button", "data-start": String(chapter.start_ms / 1000),
        "aria-label": "Chapter: " + chapter.title + ", at " + clock(chapter.start_ms / 1000) }, chapter.title);
      button.addEventListener("click", function () { go(chapter.start_ms / 1000); });
      chapterButtons.push({ button: button, start: chapter.start_ms / 1000, end: chapter.end_ms / 1000 });
      item.appendChild(button);
      list.appendChild(item);
    });
    nav.appendChild(list);
    root.appendChild(nav);
  }

  var text = el("section", { "class": "ae-text", "aria-label": "Transcript" });
  var sentences = [];
  var words = [];
  var paragraphs = [];
  M.paragraphs.forEach(function (p, index) {
    // the spoken headline is the page's h1, not a second copy of the title in the transcript
    var isHeadline = index === 0 && p.kind === "title" && p.text === M.title;
    var node = isHeadline ? headline : el("p", { "class": "ae-" + p.kind, tabindex: "0", role: "button",
      "data-start": String(p.start_ms / 1000), "aria-label": "Play from: " + p.text.slice(0, 60) });
    p.sentences.forEach(function (s, i) {
      if (i) node.appendChild(document.createTextNode(" "));
      var span = el("span", {}, (s.words && s.words.length) ? null : s.text);
      (s.words || []).forEach(function (w, k) {
        if (k) span.appendChild(document.createTextNode(" "));
        // focusable by a click or a script, not a tab stop each: the paragraph is the tab stop
        var word = el("span", { "class": "ae-w", tabindex: "-1", "data-start": String(w.start_ms / 1000) }, w.text);
        span.appendChild(word);
        words.push({ start: w.start_ms / 1000, end: w.end_ms / 1000, span: word });
      });
      node.appendChild(span);
      sentences.push({ start: s.start_ms / 1000, end: s.end_ms / 1000, span: span, paragraph: paragraphs.length });
    });
    function seekHere(event) {
      event.preventDefault();
      var word = event.target.closest ? event.target.closest(".ae-w") : null;
      go(word ? parseFloat(word.getAttribute("data-start")) : p.start_ms / 1000);
    }
    node.addEventListener("click", seekHere);
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { seekHere(event); event.stopPropagation(); }
    });
    paragraphs.push(node);
    if (!isHeadline) text.appendChild(node);
  });
  if (!headline.firstChild) headline.appendChild(document.createTextNode(M.title));
  root.appendChild(text);

  // --- behaviour ------------------------------------------------------------------------------
  var storageKey = "audio-edition:" + (M.audio.sha256 || SRC);
  var duration = M.audio.duration_ms / 1000;
  var current = -1;
  var dragging = false;
  var lastSaved = 0;

  function save() {
    try { window.localStorage.setItem(storageKey, String(audio.currentTime)); } catch (e) { /* private mode */ }
  }
  function saved() {
    try { return parseFloat(window.localStorage.getItem(storageKey)) || 0; } catch (e) { return 0; }
  }
  function go(seconds) {
    following = true;  // the reader chose a place: follow the words from there
    audio.currentTime = Math.max(0, Math.min(duration, seconds));
    render();
    save();
  }
  function toggle() { if (audio.paused) audio.play(); else audio.pause(); }

  // the last of ``items`` (in order of start) started by ``t``, if ``t`` is before its end + ``slack``
  function find(items, t, slack) {
    var lo = 0, hi = items.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (items[mid].start <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 && t < items[found].end + slack ? found : -1;
  }
  // --- following the words: highlighted, and kept in view until the reader scrolls away ------
  var currentWord = -1;
  var following = true;
  var ownScroll = 0;  // when the player last scrolled
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function highlightWord(index) {
    if (index === currentWord) return;
    if (currentWord >= 0) words[currentWord].span.classList.remove("ae-now");
    currentWord = index;
    if (index < 0) return;
    var span = words[index].span;
    span.classList.add("ae-now");
    var box = span.getBoundingClientRect(), height = window.innerHeight;
    var settled = Date.now() - ownScroll > 800;  // a smooth scroll is not chased frame by frame
    if (following && settled && !audio.paused && (box.top < 0.15 * height || box.bottom > 0.85 * height)) {
      ownScroll = Date.now();
      span.scrollIntoView({ block: "center", behavior: reduced ? "auto" : "smooth" });
    }
  }
  // The reader scrolls (wheel, touch, keys, the scroll bar): the page stays where they put it.
  function stopFollowing() { following = false; }
  window.addEventListener("wheel", stopFollowing, { passive: true });
  window.addEventListener("touchmove", stopFollowing, { passive: true });
  window.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown"].indexOf(event.key) >= 0 &&
        tag !== "INPUT" && tag !== "SELECT") stopFollowing();
  });
  window.addEventListener("mousedown", function (event) {
    if (event.target === document.documentElement) stopFollowing();  // the page's scroll bar
  });
  function highlight(index) {
    if (index === current) return;
    if (current >= 0) {
      sentences[current].span.classList.remove("ae-current");
      paragraphs[sentences[current].paragraph].classList.remove("ae-current");
    }
    current = index;
    if (index >= 0) {
      sentences[index].span.classList.add("ae-current");
      paragraphs[sentences[index].paragraph].classList.add("ae-current");
    }
  }
  function render() {
    var t = audio.currentTime;
    pos.textContent = clock(t);
    if (!dragging) seek.value = String(t);
    highlight(find(sentences, t, 0.5));
    // a word stays lit through the pause after it, until the next word or its sentence's end
    var w = find(words, t, 0.5);
    highlightWord(w >= 0 && current >= 0 && t < sentences[current].end ? w : -1);
    chapterButtons.forEach(function (c) {
      c.button.setAttribute("aria-current", t >= c.start && t < c.end ? "true" : "false");
    });
  }
  // timeupdate fires only ~4 times a second: poll on animation frames while playing.
  function tick() {
    render();
    if (!audio.paused) {
      if (audio.currentTime - lastSaved > 2 || audio.currentTime < lastSaved) { save(); lastSaved = audio.currentTime; }
      window.requestAnimationFrame(tick);
    }
  }

  audio.addEventListener("loadedmetadata", function () {
    if (isFinite(audio.duration) && audio.duration > 0) duration = audio.duration;
    dur.textContent = clock(duration);
    seek.max = String(duration);
    var resume = saved();
    if (resume > 0 && resume < duration - 5) go(resume);
  });
  audio.addEventListener("play", function () {
    play.textContent = "Pause"; play.setAttribute("aria-label", "Pause");
    window.requestAnimationFrame(tick);
  });
  audio.addEventListener("pause", function () {
    play.textContent = "Play"; play.setAttribute("aria-label", "Play");
    save(); render();
  });
  audio.addEventListener("seeked", render);
  audio.addEventListener("ended", function () { save(); render(); });

  play.addEventListener("click", toggle);
  back.addEventListener("click", function () { go(audio.currentTime - 15); });
  ahead.addEventListener("click", function () { go(audio.currentTime + 30); });
  seek.addEventListener("input", function () { dragging = true; pos.textContent = clock(parseFloat(seek.value)); });
  seek.addEventListener("change", function () { dragging = false; go(parseFloat(seek.value)); });
  volume.addEventListener("input", function () {
    audio.volume = parseInt(volume.value, 10) / 100;
    volumeValue.textContent = volume.value;
  });
  speed.addEventListener("change", function () { audio.playbackRate = parseFloat(speed.value); });

  root.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (event.key === " " && tag !== "BUTTON" && tag !== "SELECT") {
      event.preventDefault();
      toggle();
    } else if ((event.key === "ArrowRight" || event.key === "ArrowLeft") && tag !== "INPUT" && tag !== "SELECT") {
      event.preventDefault();
      go(audio.currentTime + (event.key === "ArrowRight" ? 5 : -5));
    }
  });
  render();
})();
