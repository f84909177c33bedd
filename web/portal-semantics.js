/*
 * 任诚办 — the accessibility mirror of the canvas UI.
 *
 * The canvas is a picture; this layer makes it a page for screen readers and the
 * keyboard, as Flutter's web semantics tree does. After each frame the Wasm app sends
 * what changed among its named widgets (client/ui/semantics.cpp): each becomes an element
 * laid over the canvas at the widget's rectangle, with its role, accessible name, value
 * and states, in reading order:
 *   button -> <button>, textbox -> <input>/<textarea>, checkbox, radio -> role=checkbox, role=radio (aria-checked),
 *   heading -> <h1>/<h2>, link -> <a href> (tel: numbers), text -> <p>,
 *   status -> announced in the polite live region, img -> role=img.
 * The elements are transparent and let the pointer through (mouse and touch go to the
 * canvas); Tab moves through them with a visible focus ring, Enter or Space (or a screen
 * reader's click) activates the widget in the app, focus on a text field starts editing
 * it (the page's text bridge then takes the typing), and an error that appears at a field
 * is announced. Only changed nodes are touched.
 * window.portalSemantics.stats() gives the cost (for benchmarks).
 */
(function () {
  'use strict';

  let layer = null, live = null, call = null;
  const nodes = new Map();  // id -> {el, data}
  const stats = { updates: 0, nodes: 0, changed: 0, appMs: 0, pageMs: 0, maxPageMs: 0 };
  let focusedId = '';
  let lastAnnounce = '';

  function announce(text) {
    if (!live || !text) return;
    // The same words again must be spoken again: clear, then set on the next task.
    live.textContent = '';
    lastAnnounce = text;
    setTimeout(function () { if (lastAnnounce === text) live.textContent = text; }, 30);
  }

  function tagOf(d) {
    switch (d.role) {
      case 'button': return 'button';
      case 'textbox': return d.multiline ? 'textarea' : 'input';
      case 'heading': return d.level === 1 ? 'h1' : 'h2';
      case 'link': return 'a';
      case 'text': case 'status': return 'p';
      default: return 'div';
    }
  }

  function create(d) {
    const el = document.createElement(tagOf(d));
    el.dataset.id = d.id;
    el.className = 'sem';
    if (el.tagName === 'BUTTON') el.type = 'button';
    if (el.tagName === 'INPUT') el.type = 'text';
    if (d.role === 'checkbox' || d.role === 'radio' || d.role === 'switch') {
      el.setAttribute('role', d.role);
      el.tabIndex = 0;
    } else if (d.role === 'img') {
      el.setAttribute('role', 'img');
    } else if (d.role === 'group') {
      el.setAttribute('role', 'group');
    }
    if (d.role === 'textbox') {
      el.autocomplete = 'off';
      el.setAttribute('spellcheck', 'false');
    }
    el.addEventListener('focus', function () {
      focusedId = d.id;
      if (call) call('portal_semantic_focus', ['string'], [el.dataset.id]);
      // Focus on a text field starts editing it; the text bridge takes over from here.
      if (el.dataset.role === 'textbox') activate(el);
    });
    el.addEventListener('blur', function () {
      if (focusedId === el.dataset.id) focusedId = '';
      setTimeout(function () {
        if (!focusedId && call && !(document.activeElement && document.activeElement.id === 'portal-input'))
          call('portal_semantic_focus', ['string'], ['']);
      }, 0);
    });
    el.addEventListener('click', function (e) {
      if (el.tagName === 'A') return;  // a real link: the browser follows it (tel:)
      e.preventDefault();
      if (el.dataset.role !== 'textbox') activate(el);
    });
    el.addEventListener('keydown', function (e) {
      if ((d.role === 'checkbox' || d.role === 'radio' || d.role === 'switch') && (e.key === ' ' || e.key === 'Enter')) {
        e.preventDefault();
        activate(el);
      }
    });
    return el;
  }

  function activate(el) {
    if (call && el.getAttribute('aria-disabled') !== 'true')
      call('portal_semantic_activate', ['string'], [el.dataset.id]);
  }

  function update(el, d, old) {
    el.dataset.role = d.role;
    const name = d.name || '';
    if (d.role === 'textbox') {
      el.setAttribute('aria-label', name);
      // The field's text, for the reader; the element itself stays empty (the text
      // bridge hands every typed character to the app).
      el.placeholder = d.value || '';
    } else if (d.role === 'img' || d.role === 'group' || d.role === 'checkbox' || d.role === 'radio' || d.role === 'switch') {
      el.setAttribute('aria-label', name);
    } else if (!old || old.name !== name || old.value !== d.value) {
      el.textContent = d.value && d.role === 'button' && d.value !== name ? name + '：' + d.value : name;
    }
    if (d.role === 'link') el.href = d.href || '#';
    if (d.selectable) {
      // The value itself, laid over the drawn one: a long press or a drag selects it and
      // the browser's copy works. The accessible name stays the label and value.
      el.classList.add('sel');
      if (!old || old.name !== name || old.text !== d.text) {
        // The label is read, not selected: a hidden prefix.
        const label = document.createElement('span');
        label.className = 'sr-label';
        label.textContent = name.slice(0, name.length - d.text.length);
        el.replaceChildren(label, document.createTextNode(d.text));
      }
      el.style.fontSize = Math.max(8, Math.round((d.h || 20) * 0.8)) + 'px';
      el.style.lineHeight = (d.h || 20) + 'px';
    }
    if (d.disabled) el.setAttribute('aria-disabled', 'true'); else el.removeAttribute('aria-disabled');
    if (d.role === 'checkbox' || d.role === 'radio' || d.role === 'switch') el.setAttribute('aria-checked', d.checked ? 'true' : 'false');
    else if (d.checked !== undefined) el.setAttribute('aria-pressed', d.checked ? 'true' : 'false');
    else el.removeAttribute('aria-pressed');
    if (d.popup) el.setAttribute('aria-haspopup', 'dialog');
    if (d.error) {
      el.setAttribute('aria-invalid', 'true');
      el.setAttribute('aria-description', d.error);
    } else {
      el.removeAttribute('aria-invalid');
      el.removeAttribute('aria-description');
    }
    if (d.offscreen) {
      el.classList.add('off');
    } else {
      el.classList.remove('off');
      el.style.left = d.x + 'px';
      el.style.top = d.y + 'px';
      el.style.width = d.w + 'px';
      el.style.height = d.h + 'px';
    }
    // Messages: a status (toast) and an error that appears at a field are announced.
    if (d.role === 'status' && (!old || old.name !== name)) announce(name);
    if (d.error && (!old || old.error !== d.error)) announce(name + '：' + d.error);
  }

  const api = window.portalSemantics = {
    // Called by the bridge once the app runs: call(name, types, args) into the app.
    attach: function (caller) {
      call = caller;
      layer = document.getElementById('portal-semantics');
      live = document.getElementById('portal-live');
    },

    apply: function (json, appMs, count) {
      if (!layer) return;
      const t0 = performance.now();
      const c = JSON.parse(json);
      for (const id of c.remove) {
        const n = nodes.get(id);
        if (!n) continue;
        if (document.activeElement === n.el) focusedId = '';
        n.el.remove();
        nodes.delete(id);
      }
      for (const d of c.set) {
        let n = nodes.get(d.id);
        if (n && (tagOf(n.data) !== tagOf(d) || n.data.role !== d.role)) {
          n.el.remove();
          nodes.delete(d.id);
          n = null;
        }
        if (!n) {
          n = { el: create(d), data: null };
          nodes.set(d.id, n);
          layer.appendChild(n.el);
        }
        update(n.el, d, n.data);
        n.data = d;
      }
      if (c.order) {
        // Reading order (and Tab order) is the order the app draws in.
        let prev = null;
        for (const id of c.order) {
          const n = nodes.get(id);
          if (!n) continue;
          const want = prev ? prev.nextSibling : layer.firstChild;
          if (want !== n.el) layer.insertBefore(n.el, want);
          prev = n.el;
        }
      }
      const ms = performance.now() - t0;
      stats.updates++;
      stats.nodes = count;
      stats.changed += c.set.length;
      stats.appMs += appMs;
      stats.pageMs += ms;
      if (ms > stats.maxPageMs) stats.maxPageMs = ms;
    },

    // The node of a widget, for the text bridge (its name labels the field being edited).
    node: function (id) {
      const n = nodes.get(id);
      return n ? n.el : null;
    },
    // The text field being edited in the app, if the mirror has it: {id, name, el}.
    activeField: function () {
      for (const n of nodes.values())
        if (n.data && n.data.role === 'textbox' && n.data.active) return { id: n.data.id, name: n.data.name, error: n.data.error || '' };
      return null;
    },
    // The next (or previous) focusable node after the one for widget id.
    step: function (id, back) {
      const all = Array.from(layer.querySelectorAll('button, input, textarea, a[href], [tabindex="0"]'));
      const i = all.findIndex(function (el) { return el.dataset.id === id; });
      if (i < 0) return all[back ? all.length - 1 : 0] || null;
      return all[back ? i - 1 : i + 1] || null;
    },
    focusedId: function () { return focusedId; },
    // The app moves the focus to a widget's node (a form opened by a link starts at its
    // first choice). After the frame: the node's focus handler calls back into the app.
    focus: function (id) {
      queueMicrotask(function () {
        const n = nodes.get(id);
        if (n && document.activeElement !== n.el) n.el.focus({ preventScroll: true });
      });
    },
    stats: function () { return Object.assign({}, stats); },
  };
})();
