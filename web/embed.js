/*
 * 任诚办 embedding SDK for host pages and app WebViews.
 *
 *   <script src="https://portal.example/embed.js"></script>
 *   const portal = PortalEmbed.mount(document.getElementById('box'), {
 *     origin: 'https://portal.example',  // where the portal runs
 *     token: userToken,                   // optional: the signed-in citizen's token
 *     lang: 'zh' | 'en',
 *     height: 640,                        // the frame's height (px) until it knows better
 *     autoHeight: true,                   // follow the content's height (minHeight..maxHeight)
 *     minHeight: 200, maxHeight: Infinity,
 *     timeout: 15000,                     // ms to wait for `ready` before an `error`
 *     onEvent: function (type, data) {},  // ready, ticket_created, ticket_rated, resize, error
 *   });
 *   portal.setToken(t); portal.setLang('en'); portal.destroy();
 *
 * Events (also dispatched on the element as `portal:<type>` CustomEvents):
 *   ready           the portal runs and has the token
 *   ticket_created  {number}                  ticket_rated {number, status, satisfaction}
 *   resize          {width, height, frameHeight}: height is what the current screen's
 *                   content needs, frameHeight the frame's own height
 *   error           {reason, message}: reason is
 *     refused  the frame loaded but the portal never spoke: the browser refused to show it
 *              here (this origin is not in the server's --frame-ancestors) or `origin` does
 *              not point at a portal
 *     timeout  no `ready` within `timeout` ms (the portal unreachable, or very slow)
 *     script   a script error inside the portal (its message and where), or a start-up
 *              failure (no WebGL2, its files not downloaded)
 *   Errors are also written to the console, prefixed "PortalEmbed:".
 *
 * The token goes to the frame by postMessage only, never in its URL. The portal's
 * server decides which hosts may frame it (CSP frame-ancestors).
 */
(function (root) {
  'use strict';

  // After the frame's load event, how long its first message may take to arrive (it is
  // sent while the frame's page is still being parsed, so it is normally already here).
  const SILENT_AFTER_LOAD_MS = 2500;

  function mount(element, options) {
    options = options || {};
    const origin = new URL(options.origin || (document.currentScript && document.currentScript.src) || location.href).origin;
    const timeoutMs = options.timeout > 0 ? options.timeout : 15000;
    const minHeight = options.minHeight > 0 ? options.minHeight : 200;
    const maxHeight = options.maxHeight > 0 ? options.maxHeight : Infinity;
    const iframe = document.createElement('iframe');
    iframe.title = options.title || '任诚办';
    iframe.allow = 'geolocation; clipboard-write';
    iframe.style.cssText = 'border:0;width:100%;height:' + (options.height || 640) + 'px;display:block';
    // The frame learns who may talk to it from the fragment (not sent to the server).
    iframe.src = origin + '/embed.html#host=' + encodeURIComponent(location.origin);
    let token = options.token || '';
    let ready = false;
    let spoke = false;   // any message from the frame: the portal's page runs there
    let failed = false;  // refused or timeout said once; a later ready still counts
    let silentTimer = 0;
    const loadTimer = setTimeout(function () {
      if (ready || failed) return;
      failed = true;
      fail('timeout', spoke
        ? 'the portal at ' + origin + ' loaded but did not become ready within ' + timeoutMs / 1000 +
          ' s (a slow network or a start-up failure; a script error would have come as reason "script")'
        : 'no answer from ' + origin + ' within ' + timeoutMs / 1000 + ' s: check that `origin` is the ' +
          'portal\'s address and that this page can reach it (see the frame\'s requests in the network panel)');
    }, timeoutMs);

    function send(message) {
      if (iframe.contentWindow) iframe.contentWindow.postMessage(message, origin);
    }
    function emit(type, data) {
      if (typeof options.onEvent === 'function') options.onEvent(type, data);
      element.dispatchEvent(new CustomEvent('portal:' + type, { detail: data }));
    }
    function fail(reason, message, extra) {
      const data = { type: 'error', reason: reason, message: message };
      if (extra) for (const k in extra) data[k] = extra[k];
      if (typeof console !== 'undefined') console.error('PortalEmbed: ' + reason + ': ' + message);
      emit('error', data);
    }
    function onLoad() {
      // Chromium shows a refused frame as its own error page and still fires load; the
      // portal's page would have said hello by now.
      if (spoke || ready || silentTimer) return;
      silentTimer = setTimeout(function () {
        silentTimer = 0;
        if (spoke || ready || failed) return;
        failed = true;
        fail('refused', 'the frame from ' + origin + ' loaded but the portal never answered: it refused to be ' +
          'framed by ' + location.origin + '. Add ' + location.origin + ' to the portal server\'s --frame-ancestors ' +
          '(e.g. portal-server serve ... --frame-ancestors "' + location.origin + '"), and check that `origin` ' +
          'is the portal\'s address');
      }, SILENT_AFTER_LOAD_MS);
    }
    function onMessage(e) {
      if (e.origin !== origin || e.source !== iframe.contentWindow) return;
      const data = e.data || {};
      if (typeof data.type !== 'string') return;
      spoke = true;
      if (data.type === 'hello') return;  // the handshake, not an event for the host
      if (data.type === 'ready') {
        ready = true;
        clearTimeout(loadTimer);
        if (token) send({ type: 'token', token: token });
        if (options.lang) send({ type: 'lang', lang: options.lang });
      }
      if (data.type === 'error') {
        const what = data.where ? ' (' + data.where + ')' : '';
        fail('script', 'the portal reported: ' + data.message + what, { where: data.where || '' });
        return;
      }
      if (data.type === 'resize' && options.autoHeight && data.height > 0) {
        // The content's height, not the frame's: the portal lays out the same content at
        // any frame height, so following it settles at once.
        const h = Math.round(Math.min(maxHeight, Math.max(minHeight, data.height)));
        if (Math.abs(iframe.getBoundingClientRect().height - h) >= 1) iframe.style.height = h + 'px';
      }
      emit(data.type, data);
    }
    window.addEventListener('message', onMessage);
    iframe.addEventListener('load', onLoad);
    element.appendChild(iframe);

    return {
      iframe: iframe,
      setToken: function (t) {
        token = t || '';
        if (ready) send({ type: 'token', token: token });
      },
      setLang: function (lang) { if (ready) send({ type: 'lang', lang: lang }); },
      destroy: function () {
        clearTimeout(loadTimer);
        clearTimeout(silentTimer);
        window.removeEventListener('message', onMessage);
        iframe.removeEventListener('load', onLoad);
        if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
      },
    };
  }

  root.PortalEmbed = { mount: mount };
})(window);
