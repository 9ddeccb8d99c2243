(() => {
  'use strict';

  // Byte-identical in both pages and free of tenant values, so one CSP hash allows it everywhere.
  // Everything tenant-specific comes from the non-executable JSON block #ccp-config.
  const show = (id, state, text) => {
    const line = document.getElementById(id);
    if (line) {
      // textContent, never innerHTML: agent names and error messages come from outside this page.
      line.textContent = text;
      line.dataset.state = state;
    }
  };

  let config;
  try {
    config = JSON.parse(document.getElementById('ccp-config').textContent);
  } catch {
    show('status-sign-in', 'error', 'Sign-in: this page\'s settings could not be read. Ask your administrator to publish the pages again.');
    return;
  }

  const audioOnly = config.page === 'audio-only';
  const container = document.getElementById('ccp');
  const connect = window.connect;
  if (!connect || !connect.core || typeof connect.core.initCCP !== 'function') {
    show('status-sign-in', 'error', 'Sign-in: the Amazon Connect library (connect-streams.js) did not load. Reload this page; if that does not help, tell your administrator.');
    return;
  }

  if (audioOnly && config.hideControls) {
    const toggle = document.getElementById('ccp-toggle');
    const hiddenNote = document.getElementById('ccp-hidden-note');
    const setHidden = (hidden) => {
      // Off-screen and transparent, never display:none: see .ccp-offscreen in the stylesheet.
      container.classList.toggle('ccp-offscreen', hidden);
      container.inert = hidden;
      hiddenNote.hidden = !hidden;
      toggle.setAttribute('aria-expanded', String(!hidden));
      toggle.textContent = hidden ? 'Show the call controls (audio device settings)' : 'Hide the call controls';
    };
    setHidden(true);
    toggle.hidden = false;
    toggle.addEventListener('click', () => setHidden(!container.classList.contains('ccp-offscreen')));
  }

  try {
    connect.core.initCCP(container, config.initCcp);
  } catch (e) {
    show('status-sign-in', 'error', 'Sign-in: the contact control panel could not start (' + (e && e.message ? e.message : String(e)) + '). Reload this page.');
    return;
  }

  const onCore = (name, handler) => {
    if (typeof connect.core[name] === 'function') {
      connect.core[name](handler);
    }
  };
  onCore('onAuthFail', () => show('status-sign-in', 'error', 'Sign-in: not signed in, or the sign-in expired. Sign in again in the pop-up window; allow pop-ups for this site if none appears.'));
  onCore('onAccessDenied', () => show('status-sign-in', 'error', 'Sign-in: your account may not use this contact control panel. Ask your administrator.'));
  onCore('onIframeRetriesExhausted', () => show('status-sign-in', 'error', 'Sign-in: the contact control panel did not load. Check your network, then reload this page.'));
  connect.agent((agent) => {
    const name = typeof agent.getName === 'function' ? agent.getName() : '';
    show('status-sign-in', 'ok', name ? 'Sign-in: signed in to Amazon Connect as ' + name + '.' : 'Sign-in: signed in to Amazon Connect.');
  });

  if (!audioOnly) {
    return;
  }

  const showMicrophone = (state) => {
    if (state === 'granted') {
      show('status-microphone', 'ok', 'Microphone: allowed.');
    } else if (state === 'denied') {
      show('status-microphone', 'error', 'Microphone: blocked. Allow the microphone for this site in the browser\'s site settings, then reload this page.');
    } else {
      show('status-microphone', 'warn', 'Microphone: not allowed yet. The browser asks when the first call starts: choose Allow.');
    }
  };
  const microphoneUnknown = () => show('status-microphone', 'warn',
    'Microphone: this browser cannot report whether it is allowed. If callers cannot hear you, allow the microphone for this site.');
  if (navigator.permissions && typeof navigator.permissions.query === 'function') {
    navigator.permissions.query({ name: 'microphone' }).then((status) => {
      showMicrophone(status.state);
      status.addEventListener('change', () => showMicrophone(status.state));
    }, microphoneUnknown);
  } else {
    microphoneUnknown();
  }

  // Closing or reloading this tab drops the audio of a live call, so warn only while one is connected.
  const warnBeforeLeaving = (event) => {
    event.preventDefault();
    event.returnValue = true;
  };
  const liveCalls = new Set();
  const showCallAudio = () => {
    if (liveCalls.size > 0) {
      show('status-call-audio', 'ok', 'Call audio: a call is connected and its audio plays through this page. Keep this tab open until the call ends.');
      window.addEventListener('beforeunload', warnBeforeLeaving);
    } else {
      show('status-call-audio', 'idle', 'Call audio: no call right now.');
      window.removeEventListener('beforeunload', warnBeforeLeaving);
    }
  };
  connect.contact((contact) => {
    const voice = connect.ContactType && connect.ContactType.VOICE ? connect.ContactType.VOICE : 'voice';
    if (typeof contact.getType === 'function' && contact.getType() !== voice) {
      return;
    }

    const id = typeof contact.getContactId === 'function' ? contact.getContactId() : contact;
    const connected = () => {
      liveCalls.add(id);
      showCallAudio();
    };
    const ended = () => {
      liveCalls.delete(id);
      showCallAudio();
    };
    contact.onConnected(connected);
    contact.onEnded(ended);
    if (typeof contact.onDestroy === 'function') {
      contact.onDestroy(ended);
    }

    // A call that was already connected when this page learnt of it fires no further onConnected.
    const status = typeof contact.getStatus === 'function' ? contact.getStatus() : null;
    if (status && status.type === 'connected') {
      connected();
    }
  });
  showCallAudio();
})();
