/*
 * 任诚办 embedding SDK for host pages and app WebViews.
 *
 *   <script src="https://portal.example/embed.js"></script>
 *   const portal = PortalEmbed.mount(document.getElementById('box'), {
 *     origin: 'https://portal.example',  // where the portal runs
 *     token: userToken,                   // optional: the signed-in citizen's token
 *     lang: 'zh' | 'en',
 *     onEvent: function (type, data) {},  // ready, ticket_created, ticket_rated, resize
 *   });
 *   portal.setToken(t); portal.destroy();
 *
 * The token goes to the frame by postMessage only, never in its URL. The portal's
 * server decides which hosts may frame it (CSP frame-ancestors): on any other host
 * the frame stays blank and `ready` never arrives.
 */
(function (root) {
  'use strict';

  function mount(element, options) {
    options = options || {};
    const origin = new URL(options.origin || (document.currentScript && document.currentScript.src) || location.href).origin;
    const iframe = document.createElement('iframe');
    iframe.title = options.title || '任诚办';
    iframe.allow = 'geolocation; clipboard-write';
    iframe.style.cssText = 'border:0;width:100%;height:' + (options.height || 640) + 'px;display:block';
    // The frame learns who may talk to it from the fragment (not sent to the server).
    iframe.src = origin + '/embed.html#host=' + encodeURIComponent(location.origin);
    let token = options.token || '';
    let ready = false;

    function send(message) {
      if (iframe.contentWindow) iframe.contentWindow.postMessage(message, origin);
    }
    function emit(type, data) {
      if (typeof options.onEvent === 'function') options.onEvent(type, data);
      element.dispatchEvent(new CustomEvent('portal:' + type, { detail: data }));
    }
    function onMessage(e) {
      if (e.origin !== origin || e.source !== iframe.contentWindow) return;
      const data = e.data || {};
      if (typeof data.type !== 'string') return;
      if (data.type === 'ready') {
        ready = true;
        if (token) send({ type: 'token', token: token });
        if (options.lang) send({ type: 'lang', lang: options.lang });
      }
      if (data.type === 'resize' && options.autoHeight && data.height) iframe.style.height = data.height + 'px';
      emit(data.type, data);
    }
    window.addEventListener('message', onMessage);
    element.appendChild(iframe);

    return {
      iframe: iframe,
      setToken: function (t) {
        token = t || '';
        if (ready) send({ type: 'token', token: token });
      },
      setLang: function (lang) { if (ready) send({ type: 'lang', lang: lang }); },
      destroy: function () {
        window.removeEventListener('message', onMessage);
        if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
      },
    };
  }

  root.PortalEmbed = { mount: mount };
})(window);
