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
  // What the self-test reports, kept from the start so the agent can run it at any time (the audio-only page has one).
  const found = { microphone: 'unknown', autoplay: 'unknown', ccp: 'pending', signIn: 'pending', name: '' };
  let selfTestShown = false;
  const note = (changes) => {
    Object.assign(found, changes);
    if (selfTestShown) {
      showSelfTest();
    }
  };

  onCore('onInitialized', () => note({ ccp: 'ok' }));
  onCore('onAuthFail', () => {
    show('status-sign-in', 'error', 'Sign-in: not signed in, or the sign-in expired. Sign in again in the pop-up window; allow pop-ups for this site if none appears.');
    note({ ccp: 'ok', signIn: 'failed' });
  });
  onCore('onAccessDenied', () => {
    show('status-sign-in', 'error', 'Sign-in: your account may not use this contact control panel. Ask your administrator.');
    note({ ccp: 'ok', signIn: 'failed' });
  });
  onCore('onIframeRetriesExhausted', () => {
    show('status-sign-in', 'error', 'Sign-in: the contact control panel did not load. Check your network, then reload this page.');
    note({ ccp: 'failed' });
  });
  connect.agent((agent) => {
    const name = typeof agent.getName === 'function' ? agent.getName() : '';
    show('status-sign-in', 'ok', name ? 'Sign-in: signed in to Amazon Connect as ' + name + '.' : 'Sign-in: signed in to Amazon Connect.');
    note({ ccp: 'ok', signIn: 'ok', name: name || '' });
  });

  if (!audioOnly) {
    return;
  }

  const showMicrophone = (state) => {
    note({ microphone: state });
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
  found.autoplay = autoplayAtLoad();
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

  // The self-test: each check in words, and a code the agent reads to their administrator (M microphone, A autoplay,
  // F the contact control panel's frame, S sign-in; 0 passed, 1 a warning, 2 failed), updated as the page finds more.
  document.getElementById('self-test-run').addEventListener('click', () => {
    selfTestShown = true;
    showSelfTest();

    // Asking for the microphone now brings the browser's question forward, so the first call does not wait on it.
    if (found.microphone !== 'granted' && navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === 'function') {
      navigator.mediaDevices.getUserMedia({ audio: true }).then((stream) => {
        stream.getTracks().forEach((track) => track.stop());
        note({ microphone: 'granted' });
      }, (e) => note({ microphone: e && e.name === 'NotFoundError' ? 'missing' : 'denied' }));
    }
  });

  function showSelfTest() {
    const checks = [
      ['M', 'self-test-microphone', {
        granted: [0, 'Microphone: allowed.'],
        prompt: [1, 'Microphone: not allowed yet. Choose Allow when the browser asks.'],
        denied: [2, 'Microphone: blocked. Allow the microphone for this site in the browser\'s site settings, then run the self-test again.'],
        missing: [2, 'Microphone: none found. Plug in your headset, then run the self-test again.'],
      }[found.microphone] || [1, 'Microphone: this browser cannot say whether it is allowed.']],
      ['A', 'self-test-autoplay', found.autoplay === 'allowed'
        ? [0, 'Ringtone: this browser plays it without a click on the page first.']
        : [1, 'Ringtone: this browser may not ring until you click on this page once. Click anywhere on it after opening it.']],
      ['F', 'self-test-ccp', {
        ok: [0, 'Contact control panel: connected.'],
        failed: [2, 'Contact control panel: it did not load. Check your network, then reload this page.'],
      }[found.ccp] || [1, 'Contact control panel: still loading.']],
      ['S', 'self-test-sign-in', {
        ok: [0, found.name ? 'Sign-in: signed in as ' + found.name + '.' : 'Sign-in: signed in.'],
        failed: [2, 'Sign-in: not signed in, or the sign-in expired. Sign in again in the pop-up window; allow pop-ups for this site.'],
      }[found.signIn] || [1, 'Sign-in: not signed in yet. Sign in in the pop-up window.']],
    ];
    const states = ['ok', 'warn', 'error'];
    checks.forEach(([, id, [level, text]]) => show(id, states[level], text));
    const code = checks.map(([letter, , [level]]) => letter + level).join(' ');
    const worst = Math.max(...checks.map(([, , [level]]) => level));
    show('self-test-code', states[worst], 'Code: ' + code + (worst === 0
      ? '. Everything is ready for calls.'
      : '. Fix what is marked above; if you cannot, read this code to your administrator.'));
    document.getElementById('self-test-results').hidden = false;
  }

  // Whether this page may play sound before the agent clicks on it, as an incoming call's ringtone must: asked before
  // any click, since a click allows it. An audio context that starts suspended is not allowed to play.
  function autoplayAtLoad() {
    try {
      if (typeof navigator.getAutoplayPolicy === 'function') {
        return navigator.getAutoplayPolicy('audiocontext') === 'allowed' ? 'allowed' : 'blocked';
      }

      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) {
        return 'unknown';
      }

      const probe = new Context();
      const state = probe.state;
      probe.close();
      return state === 'running' ? 'allowed' : 'blocked';
    } catch {
      return 'unknown';
    }
  }
})();
