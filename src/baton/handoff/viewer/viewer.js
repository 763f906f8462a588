/* Baton handoff viewer: the checklist, the walkthrough video with chapters, and a progress
 * receipt to send back. Works from file:// with no network. Every piece of text from the
 * package or the user is inserted with textContent (never as HTML). What it keeps in the
 * browser and the receipt it saves are specified in docs/package-format.md. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("baton-data").textContent);
  var STORAGE_KEY = "baton:progress:" + data.package_id;
  var MAX_TEXT = 5000;
  var app = document.getElementById("app");
  var state = loadState();
  var video = null;
  var chapterButtons = [];
  var stepItems = {};

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        if (key === "text") node.textContent = props[key];
        else if (key === "className") node.className = props[key];
        else node.setAttribute(key, props[key]);
      });
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  // The editor's simple formatting: **bold** and lines starting "- " as bullets. Built from
  // text nodes only, so nothing the owner typed is ever read as HTML.
  function inline(text) {
    var parts = text.split("**");
    return parts.map(function (part, index) {
      return index % 2 === 1 && index < parts.length - 1
        ? el("strong", { text: part })
        : document.createTextNode(index % 2 === 1 ? "**" + part : part);
    });
  }

  function instructionBlock(text) {
    var block = el("div", { className: "instruction" });
    var list = null;
    text.split("\n").forEach(function (line) {
      var bullet = /^\s*[-*] +/.exec(line);
      if (bullet) {
        if (!list) { list = el("ul"); block.appendChild(list); }
        list.appendChild(el("li", null, inline(line.slice(bullet[0].length))));
      } else {
        list = null;
        if (line.trim()) block.appendChild(el("p", null, inline(line)));
      }
    });
    return block;
  }

  // The owner's answers to questions asked about an earlier package (data.answers for the
  // process as a whole, step.answers at a step).
  function answersBlock(answers, heading) {
    if (!answers || !answers.length) return null;
    var box = el("div", { className: "answers", role: "note", "aria-label": heading }, [
      el("p", { className: "answers-title", text: heading }),
    ]);
    answers.forEach(function (a) {
      var asked = [el("strong", { text: "You asked: " }), document.createTextNode(a.question)];
      if (heading !== "Your question, answered" && a.step_title) {
        asked.unshift(el("span", { className: "about", text: "About \u201c" + a.step_title + "\u201d. " }));
      }
      box.appendChild(el("p", { className: "asked" }, asked));
      box.appendChild(el("p", { className: "answer" }, [
        el("strong", { text: "Answer: " }), document.createTextNode(a.answer),
      ]));
    });
    return box;
  }

  function storageAvailable() {
    try {
      var probe = STORAGE_KEY + ":probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return true;
    } catch (e) {
      return false;
    }
  }

  var canStore = storageAvailable();

  function loadState() {
    var empty = { steps: {} };
    try {
      var raw = window.localStorage.getItem(STORAGE_KEY);
      if (!raw) return empty;
      var parsed = JSON.parse(raw);
      if (!parsed || typeof parsed.steps !== "object" || parsed.steps === null) return empty;
      return parsed;
    } catch (e) {
      return empty;
    }
  }

  function saveState() {
    if (!canStore) return;
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) {
      canStore = false;
      showNotice("Your browser stopped keeping progress; save a receipt before you close this page.");
    }
  }

  function stepState(position) {
    var key = String(position);
    var current = state.steps[key];
    if (!current || typeof current !== "object") {
      current = { done: false, done_at: null, note: "", question: "" };
      state.steps[key] = current;
    }
    return current;
  }

  function formatTime(seconds) {
    var whole = Math.floor(seconds);
    var h = Math.floor(whole / 3600);
    var m = Math.floor((whole % 3600) / 60);
    var s = whole % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function formatWhen(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  var notices = el("div", { className: "notices", role: "status" });

  function showNotice(message) {
    notices.appendChild(el("p", { className: "notice", text: message }));
  }

  var missingShown = false;
  function assetMissing() {
    if (missingShown) return;
    missingShown = true;
    showNotice(
      "Some pictures or the video could not be loaded. If you opened this page from inside " +
        "the zip, extract the whole zip first (right-click, Extract All), then open index.html."
    );
  }

  function seekTo(seconds, focusVideo) {
    if (!video) return;
    video.currentTime = seconds;
    var playing = video.play();
    if (playing && playing.catch) playing.catch(function () {});
    if (focusVideo) video.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  function buildHeader() {
    var meta = "Version " + data.process.version;
    if (data.assistant) meta += " \u00b7 prepared for " + data.assistant;
    var bar = el("div", {
      className: "bar", role: "progressbar", "aria-valuemin": "0", "aria-label": "Steps done",
    });
    var fill = el("div", { className: "fill" });
    bar.appendChild(fill);
    var count = el("p", { className: "count", id: "progress-count" });
    var header = el("header", { className: "top" }, [
      el("h1", { text: data.process.title, id: "process-title" }),
      el("p", { className: "meta", text: meta }),
      data.process.summary ? el("p", { className: "summary", text: data.process.summary }) : null,
      answersBlock(data.answers, "Answers to your questions"),
      el("div", { className: "progress" }, [bar, count]),
      notices,
    ]);
    header.updateProgress = function () {
      var done = data.steps.filter(function (s) { return stepState(s.position).done; }).length;
      var total = data.steps.length;
      count.textContent = done + " of " + total + " steps done";
      fill.style.width = (total ? (100 * done) / total : 0) + "%";
      bar.setAttribute("aria-valuemax", String(total));
      bar.setAttribute("aria-valuenow", String(done));
    };
    return header;
  }

  function buildWatch() {
    if (!data.video) return null;
    video = el("video", {
      id: "video", controls: "", preload: "metadata", playsinline: "", src: data.video,
    });
    video.addEventListener("error", assetMissing);
    var timed = data.steps.filter(function (s) { return s.video_time !== null; });
    var list = el("ol", { className: "chapters" });
    timed.forEach(function (step) {
      var button = el("button", { type: "button", className: "chapter", "data-position": String(step.position) }, [
        el("span", { className: "time", text: formatTime(step.video_time) }),
        el("span", { className: "label", text: step.number + ". " + (step.title || "Untitled step") }),
      ]);
      button.addEventListener("click", function () {
        seekTo(step.video_time, false);
        var item = stepItems[step.position];
        if (item) item.scrollIntoView({ behavior: "smooth", block: "nearest" });
      });
      button.videoTime = step.video_time;
      chapterButtons.push(button);
      list.appendChild(el("li", null, [button]));
    });
    video.addEventListener("timeupdate", function () {
      var active = null;
      chapterButtons.forEach(function (b) { if (b.videoTime <= video.currentTime + 0.05) active = b; });
      chapterButtons.forEach(function (b) { b.classList.toggle("active", b === active); });
    });
    return el("section", { className: "watch", "aria-label": "Walkthrough video" }, [
      el("div", { className: "player" }, [video]),
      timed.length ? el("h2", { text: "Chapters" }) : null,
      timed.length ? list : null,
    ]);
  }

  function textArea(labelText, value, placeholder, onChange) {
    var area = el("textarea", { rows: "2", maxlength: String(MAX_TEXT), placeholder: placeholder });
    area.value = value || "";
    area.addEventListener("input", function () { onChange(area.value.slice(0, MAX_TEXT)); });
    return el("label", { className: "field" }, [el("span", { text: labelText }), area]);
  }

  function buildStep(step, header) {
    var s = stepState(step.position);
    var box = el("input", { type: "checkbox", className: "done" });
    box.checked = !!s.done;
    var when = el("p", { className: "when" });
    var item = el("li", { className: "step", id: "step-" + step.position });
    function refresh() {
      item.classList.toggle("is-done", !!s.done);
      when.textContent = s.done && s.done_at ? "Done " + formatWhen(s.done_at) : "";
    }
    box.addEventListener("change", function () {
      s.done = box.checked;
      s.done_at = box.checked ? new Date().toISOString() : null;
      saveState();
      refresh();
      header.updateProgress();
    });
    item.appendChild(el("label", { className: "step-head" }, [
      box, el("span", { className: "step-title", text: step.number + ". " + (step.title || "Untitled step") }),
    ]));
    item.appendChild(when);
    if (step.instruction) item.appendChild(instructionBlock(step.instruction));
    if (step.caution) {
      item.appendChild(el("p", { className: "caution" }, [
        el("strong", { text: "Caution: " }), document.createTextNode(step.caution),
      ]));
    }
    var answered = answersBlock(step.answers, "Your question, answered");
    if (answered) item.appendChild(answered);
    if (step.video_time !== null && video) {
      var play = el("button", { type: "button", className: "play", text: "\u25b6 Play from " + formatTime(step.video_time) });
      play.addEventListener("click", function () { seekTo(step.video_time, true); });
      item.appendChild(play);
    }
    if (step.screenshot) {
      var img = el("img", { src: step.screenshot, alt: "Screenshot for step " + step.number, loading: "lazy" });
      img.addEventListener("error", assetMissing);
      var frame = el("a", { className: "shot", href: step.screenshot, target: "_blank", rel: "noopener" }, [img]);
      if (step.click && step.width && step.height) {
        // The step's number now: screenshots never have it burned in.
        var ring = el("span", { className: "click-ring", "aria-hidden": "true" },
                      [el("span", { className: "click-number", text: String(step.number) })]);
        ring.style.left = (100 * step.click[0]) / step.width + "%";
        ring.style.top = (100 * step.click[1]) / step.height + "%";
        frame.appendChild(ring);
      }
      item.appendChild(el("figure", null, [frame]));
    }
    item.appendChild(textArea("Note", s.note, "Anything worth remembering about this step", function (v) {
      s.note = v; saveState();
    }));
    item.appendChild(textArea("Question", s.question, "Stuck? Ask here; it goes back with your receipt", function (v) {
      s.question = v; saveState();
    }));
    refresh();
    stepItems[step.position] = item;
    return item;
  }

  // What Python's reader refuses in text (a lone half of a surrogate pair, control
  // characters other than tab and line breaks) is dropped, so a pasted note can never make
  // the whole receipt unimportable.
  function cleanText(text) {
    var value = String(text || "").slice(0, MAX_TEXT);
    var out = "";
    for (var i = 0; i < value.length; i++) {
      var code = value.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff) {
        var next = value.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) { out += value[i] + value[i + 1]; i++; }
        continue;
      }
      if (code >= 0xdc00 && code <= 0xdfff) continue;
      if ((code < 0x20 && code !== 9 && code !== 10 && code !== 13) || (code >= 0x7f && code <= 0x9f)) continue;
      out += value[i];
    }
    return out;
  }

  function receipt() {
    return {
      format: "baton-receipt",
      format_version: 2,
      package_id: data.package_id,
      handoff_id: data.handoff_id,
      process_id: data.process.id,
      version: data.process.version,
      steps: data.steps.map(function (step) {
        var s = stepState(step.position);
        return {
          position: step.position,
          done: !!s.done,
          done_at: s.done ? s.done_at || null : null,
          note: cleanText(s.note),
          question: cleanText(s.question),
        };
      }),
      saved_at: new Date().toISOString(),
    };
  }

  // The receipt's canonical content: keys sorted at every level, no spaces; the same bytes
  // Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) gives.
  function canonical(value) {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    return "{" + Object.keys(value).sort().map(function (key) {
      return JSON.stringify(key) + ":" + canonical(value[key]);
    }).join(",") + "}";
  }

  // HMAC-SHA-256 with the handoff's receipt key, so the owner's Baton knows the receipt
  // comes from this package and was not edited.
  function sign(body) {
    var encoder = new TextEncoder();
    return window.crypto.subtle.importKey(
      "raw", encoder.encode(data.receipt_key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]
    ).then(function (key) {
      return window.crypto.subtle.sign("HMAC", key, encoder.encode(canonical(body)));
    }).then(function (mac) {
      return Array.prototype.map.call(new Uint8Array(mac), function (byte) {
        return (byte < 16 ? "0" : "") + byte.toString(16);
      }).join("");
    });
  }

  function download(body, status) {
    var blob = new Blob([JSON.stringify(body, null, 2)], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var day = new Date().toISOString().slice(0, 10);
    var link = el("a", { href: url, download: "baton-receipt-" + data.slug + "-" + day + ".json" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    status.textContent = "Receipt saved to your downloads. Send that file back to whoever gave you this package.";
  }

  function saveReceipt(status) {
    var body = receipt();
    if (!data.receipt_key) { download(body, status); return; }
    if (!window.crypto || !window.crypto.subtle) {
      status.textContent = "This browser cannot sign a receipt for a page opened this way. " +
        "Open index.html in Chrome, Edge, Firefox or Safari to save your receipt.";
      return;
    }
    sign(body).then(function (mac) {
      body.mac = mac;
      download(body, status);
    }, function () {
      status.textContent = "The receipt could not be signed; try another browser.";
    });
  }

  function build() {
    var header = buildHeader();
    var watch = buildWatch();
    var list = el("ol", { className: "steps" });
    var checklist = el("section", { className: "checklist", "aria-label": "Checklist" }, [
      el("h2", { text: "Checklist" }), list,
    ]);
    data.steps.forEach(function (step) { list.appendChild(buildStep(step, header)); });
    if (!data.steps.length) list.appendChild(el("li", { className: "empty", text: "This process has no steps yet." }));
    var status = el("p", { className: "save-status", role: "status" });
    var save = el("button", { type: "button", id: "save-receipt", className: "primary", text: "Save progress receipt" });
    save.addEventListener("click", function () { saveReceipt(status); });
    var footer = el("footer", { className: "savebar" }, [save, status]);
    var main = el("main", { className: watch ? "layout with-video" : "layout" }, [watch, checklist]);
    app.appendChild(header);
    app.appendChild(main);
    app.appendChild(footer);
    header.updateProgress();
    if (!canStore) showNotice("This browser does not keep progress for pages opened from disk; save a receipt before you close it.");
  }

  build();
})();
