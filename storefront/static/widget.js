/* loyalty-sync on-site widget: a launcher button and a panel with the signed member's points,
 * progress, rewards to redeem, coupons, referral link, ways to earn and VIP perks; for guests,
 * how the program works and "earn N points" on the cart.
 *
 * One <script> tag (storefront/README.md, "The on-site widget"); no framework, no CDN, no
 * eval, no innerHTML: every node is made with DOM APIs and every text goes in as a text node,
 * so nothing the server or the shop sends can run as script in the shop's page.
 * The words live here (English and German) so the panel can say "could not reach the program"
 * when the app cannot be reached; the server sends codes, numbers and money already formatted.
 */
(function () {
  'use strict';

  var script = document.currentScript || document.querySelector('script[data-loyalty-store]');
  if (!script || document.getElementById('lsw-root')) { return; }
  var data = script.dataset;
  var base = script.src.replace(/\/widget\/v1\/widget\.js(\?.*)?$/, '');
  var storeId = (data.loyaltyStore || '').trim();
  if (!/^\d+$/.test(storeId)) { return; }
  var api = base + '/widget/v1/stores/' + storeId;

  var WORDS = {
    en: {
      launcher: 'Rewards', launcherPoints: 'Rewards: {n} points', launcherEarn: 'Rewards: earn {n} points',
      title: 'Your points at {shop}', guestTitle: 'Rewards at {shop}', close: 'Close',
      loading: 'Loading…', spendable: 'points you can spend', expiring: '{n} points expire on {date}: spend them before.', pending: '{n} points pending (they become spendable soon)',
      nextReward: '{n} more points to "{reward}"', allRewards: 'Your points cover every reward.',
      rewardProgress: 'Progress to the next reward', tierProgress: 'Progress to the next tier',
      tier: 'Your tier: {tier} (x{mult} points)', nextTierSpend: 'Spend {amount} more to reach {tier}',
      nextTierCount: '{amount} more to reach {tier}', before: ' before {date}', topTier: 'You are in the top tier.',
      rewards: 'Rewards', pointsN: '{n} points', redeem: 'Redeem', redeemName: 'Redeem {reward} for {n} points', redeeming: 'Redeeming…',
      morePoints: '{n} more points needed', off: '{value} off', minSpend: 'min. spend {amount}', freeShipping: 'free shipping',
      couponReady: 'Your coupon code: {code}', couponHint: 'Use it at checkout.', couponSoon: 'It reaches the shop in a few minutes.',
      coupons: 'Your coupons', expires: 'valid until {date}', copy: 'Copy', copied: 'Copied', copyCode: 'Copy the code {code}',
      referral: 'Invite friends', referralText: 'Friends get {value} off their first order; you earn {n} points when they order.',
      referralTextNoBonus: 'Friends get {value} off their first order.', referralLink: 'Your referral link', referralCode: 'Code: {code}',
      copyLink: 'Copy the link', earn: 'Ways to earn', vip: 'VIP perks', vipActive: 'You are a VIP until {date}.',
      vipHow: 'Become a VIP with {amount} or {n} orders in 12 months.', vipMult: 'x{mult} points on every order',
      vipShipping: 'free shipping once a month', vipCoupon: 'an exclusive {value} coupon',
      tiers: 'Tiers', tierLine: '{tier}: from {amount}, x{mult} points',
      ways: {
        orders: '{points} points per {per} spent', orders_one: '1 point per {per} spent', referral: '{points} points for every friend who orders',
        review: '{points} points for a product review', birthday: '{points} points on your birthday',
        birthday_coupon: 'a {value} coupon on your birthday', survey: '{points} points for answering our short survey'
      },
      cartEarn: 'Earn {n} points with this cart.', joinHint: 'Create an account or sign in to collect points and redeem rewards.',
      notMember: 'Your points appear here after your first order.', closed: 'The program opens soon: redeeming is not possible yet.',
      refusals: {
        expired: 'Your session is out of date: please reload the page.',
        future: 'Your session is not valid yet: please reload the page in a minute.',
        tampered: 'We could not confirm who you are: please reload the page or sign in again.',
        malformed: 'We could not confirm who you are: please reload the page or sign in again.',
        not_enough_points: 'You do not have enough points for this reward yet.',
        store_in_review: 'The program opens soon: redeeming is not possible yet.',
        rate_limited: 'Too many requests: please try again in a minute.',
        unknown_reward: 'This reward is no longer offered: please reload the page.',
        unknown_store: 'The rewards program is not available right now.',
        origin_not_allowed: 'The rewards program is not available on this page.',
        network: 'The rewards program could not be reached: please try again.',
        other: 'Something went wrong: please try again.'
      }
    },
    de: {
      launcher: 'Prämien', launcherPoints: 'Prämien: {n} Punkte', launcherEarn: 'Prämien: {n} Punkte sammeln',
      title: 'Ihre Punkte bei {shop}', guestTitle: 'Prämien bei {shop}', close: 'Schließen',
      loading: 'Wird geladen…', spendable: 'Punkte zum Einlösen', expiring: '{n} Punkte verfallen am {date}: lösen Sie sie vorher ein.', pending: '{n} Punkte vorgemerkt (bald einlösbar)',
      nextReward: 'Noch {n} Punkte bis „{reward}“', allRewards: 'Ihre Punkte reichen für jede Prämie.',
      rewardProgress: 'Fortschritt zur nächsten Prämie', tierProgress: 'Fortschritt zur nächsten Stufe',
      tier: 'Ihre Stufe: {tier} (x{mult} Punkte)', nextTierSpend: 'Noch {amount} bis {tier}',
      nextTierCount: 'Noch {amount} bis {tier}', before: ' (bis {date})', topTier: 'Sie sind in der höchsten Stufe.',
      rewards: 'Prämien', pointsN: '{n} Punkte', redeem: 'Einlösen', redeemName: '{reward} für {n} Punkte einlösen', redeeming: 'Wird eingelöst…',
      morePoints: 'Noch {n} Punkte nötig', off: '{value} Rabatt', minSpend: 'ab {amount} Einkaufswert', freeShipping: 'versandkostenfrei',
      couponReady: 'Ihr Gutscheincode: {code}', couponHint: 'Geben Sie ihn an der Kasse ein.', couponSoon: 'Er ist in wenigen Minuten im Shop gültig.',
      coupons: 'Ihre Gutscheine', expires: 'gültig bis {date}', copy: 'Kopieren', copied: 'Kopiert', copyCode: 'Code {code} kopieren',
      referral: 'Freunde einladen', referralText: 'Freunde erhalten {value} Rabatt auf die erste Bestellung; Sie bekommen {n} Punkte, wenn sie bestellen.',
      referralTextNoBonus: 'Freunde erhalten {value} Rabatt auf die erste Bestellung.', referralLink: 'Ihr Empfehlungslink', referralCode: 'Code: {code}',
      copyLink: 'Link kopieren', earn: 'So sammeln Sie Punkte', vip: 'VIP-Vorteile', vipActive: 'Sie sind VIP bis {date}.',
      vipHow: 'VIP werden Sie mit {amount} oder {n} Bestellungen in 12 Monaten.', vipMult: 'x{mult} Punkte auf jede Bestellung',
      vipShipping: 'einmal im Monat versandkostenfrei', vipCoupon: 'ein exklusiver Gutschein über {value}',
      tiers: 'Stufen', tierLine: '{tier}: ab {amount}, x{mult} Punkte',
      ways: {
        orders: '{points} Punkte pro {per} Einkaufswert', orders_one: '1 Punkt pro {per} Einkaufswert', referral: '{points} Punkte für jeden Freund, der bestellt',
        review: '{points} Punkte für eine Produktbewertung', birthday: '{points} Punkte zum Geburtstag',
        birthday_coupon: 'ein Gutschein über {value} zum Geburtstag', survey: '{points} Punkte für unsere kurze Umfrage'
      },
      cartEarn: 'Mit diesem Warenkorb sammeln Sie {n} Punkte.', joinHint: 'Legen Sie ein Kundenkonto an oder melden Sie sich an, um Punkte zu sammeln und Prämien einzulösen.',
      notMember: 'Ihre Punkte erscheinen hier nach Ihrer ersten Bestellung.', closed: 'Das Programm startet bald: Einlösen ist noch nicht möglich.',
      refusals: {
        expired: 'Ihre Sitzung ist veraltet: Bitte laden Sie die Seite neu.',
        future: 'Ihre Sitzung ist noch nicht gültig: Bitte laden Sie die Seite in einer Minute neu.',
        tampered: 'Wir konnten Sie nicht erkennen: Bitte laden Sie die Seite neu oder melden Sie sich erneut an.',
        malformed: 'Wir konnten Sie nicht erkennen: Bitte laden Sie die Seite neu oder melden Sie sich erneut an.',
        not_enough_points: 'Für diese Prämie reichen Ihre Punkte noch nicht.',
        store_in_review: 'Das Programm startet bald: Einlösen ist noch nicht möglich.',
        rate_limited: 'Zu viele Anfragen: Bitte versuchen Sie es in einer Minute erneut.',
        unknown_reward: 'Diese Prämie gibt es nicht mehr: Bitte laden Sie die Seite neu.',
        unknown_store: 'Das Prämienprogramm ist gerade nicht verfügbar.',
        origin_not_allowed: 'Das Prämienprogramm ist auf dieser Seite nicht verfügbar.',
        network: 'Das Prämienprogramm ist nicht erreichbar: Bitte versuchen Sie es erneut.',
        other: 'Etwas ist schiefgegangen: Bitte versuchen Sie es erneut.'
      }
    }
  };

  function pickLanguage() {
    var wanted = [data.loyaltyLang, document.documentElement.lang, navigator.language];
    for (var i = 0; i < wanted.length; i++) {
      var code = (wanted[i] || '').slice(0, 2).toLowerCase();
      if (WORDS[code]) { return code; }
    }
    return 'en';
  }
  var lang = pickLanguage();
  var words = WORDS[lang];
  var numbers = new Intl.NumberFormat(lang);

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      var value = values && values[name];
      if (value === undefined || value === null) { return whole; }
      return typeof value === 'number' ? numbers.format(value) : String(value);
    });
  }

  var signed = data.loyaltyCustomer && data.loyaltySignature;
  var identity = signed ? {
    customer: data.loyaltyCustomer, email: data.loyaltyEmail || '', ts: data.loyaltyTs || '',
    signature: data.loyaltySignature
  } : null;
  var cartTotal = /^\d+(\.\d{1,2})?$/.test((data.loyaltyCartTotal || '').trim()) ? data.loyaltyCartTotal.trim() : '';

  // --- DOM helpers: text nodes only -----------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === 'text') { node.textContent = value; } else if (name.slice(0, 2) === 'on') {
        node.addEventListener(name.slice(2), value);
      } else { node.setAttribute(name, value === true ? '' : String(value)); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) { return; }
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function shopDate(iso, timeZone) {
    if (!iso) { return ''; }
    var dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
    var when = new Date(dateOnly ? iso + 'T12:00:00Z' : iso);
    var options = { dateStyle: 'medium', timeZone: dateOnly ? 'UTC' : (timeZone || 'UTC') };
    try { return new Intl.DateTimeFormat(lang, options).format(when); } catch (e) {
      options.timeZone = 'UTC';
      return new Intl.DateTimeFormat(lang, options).format(when);
    }
  }

  function progress(label, percent) {
    var bar = el('div', { 'class': 'lsw-bar' });
    bar.style.width = Math.max(0, Math.min(100, percent)) + '%';
    return el('div', { 'class': 'lsw-track', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0,
      'aria-valuemax': 100, 'aria-valuenow': percent }, [bar]);
  }

  var copies = 0;
  function copyButton(value, label, buttonLabel) {
    var field = el('input', { 'class': 'lsw-copy-field', type: 'text', readonly: true, value: value,
      'aria-label': label, id: 'lsw-copy-' + (++copies) });
    var button = el('button', { type: 'button', 'class': 'lsw-button lsw-secondary', 'aria-label': buttonLabel || label,
      text: words.copy });
    button.addEventListener('click', function () {
      var done = function () { button.textContent = words.copied; announce(words.copied + ': ' + value); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(value).then(done, function () { field.select(); });
      } else {
        field.select();
        try { document.execCommand('copy'); done(); } catch (e) { /* the text stays selected */ }
      }
    });
    return el('div', { 'class': 'lsw-copy' }, [field, button]);
  }

  // --- the launcher and the dialog -------------------------------------------------------------
  var root = el('div', { id: 'lsw-root', 'class': 'lsw', lang: lang });
  var launcher = el('button', { type: 'button', 'class': 'lsw-launcher', 'aria-haspopup': 'dialog',
    'aria-expanded': 'false', 'aria-controls': 'lsw-panel' }, [words.launcher]);
  var title = el('h2', { id: 'lsw-title', 'class': 'lsw-title' }, [words.launcher]);
  var closer = el('button', { type: 'button', 'class': 'lsw-close', 'aria-label': words.close }, ['\u00d7']);
  var body = el('div', { 'class': 'lsw-body' }, [el('p', { text: words.loading })]);
  var live = el('div', { 'class': 'lsw-sr', role: 'status', 'aria-live': 'polite' });
  var panel = el('div', { id: 'lsw-panel', 'class': 'lsw-panel', role: 'dialog', 'aria-modal': 'true',
    'aria-labelledby': 'lsw-title', hidden: true }, [el('div', { 'class': 'lsw-head' }, [title, closer]), body, live]);
  root.appendChild(launcher);
  root.appendChild(panel);

  function contrastOn(color) {
    var probe = document.createElement('span');
    probe.style.color = color;
    document.body.appendChild(probe);
    var rgb = (getComputedStyle(probe).color.match(/\d+(\.\d+)?/g) || [0, 0, 0]).map(Number);
    probe.remove();
    var luminance = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255;
    return luminance > 0.6 ? '#111' : '#fff';
  }

  function announce(text) { live.textContent = ''; setTimeout(function () { live.textContent = text; }, 50); }

  function focusables() {
    return Array.prototype.filter.call(panel.querySelectorAll('button, a[href], input, [tabindex]'), function (node) {
      return !node.disabled && node.tabIndex >= 0 && node.offsetParent !== null;
    });
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    closer.focus();
    if (!state.loaded) { load(); }
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', function () { if (panel.hidden) { open(); } else { close(); } });
  closer.addEventListener('click', close);
  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { event.preventDefault(); close(); return; }
    if (event.key !== 'Tab') { return; }
    var nodes = focusables();
    if (!nodes.length) { return; }
    var first = nodes[0], last = nodes[nodes.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  // --- talking to the app ----------------------------------------------------------------------
  function request(path, payload, headers) {
    var options = payload ? { method: 'POST', body: JSON.stringify(payload),
      headers: Object.assign({ 'Content-Type': 'application/json' }, headers || {}) } : { method: 'GET' };
    options.credentials = 'omit';
    return fetch(api + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { ok: response.ok, status: response.status, body: answer };
      });
    }, function () { return { ok: false, status: 0, body: { error: { code: 'network' } } }; });
  }

  function refusalText(answer) {
    var code = (answer.body && answer.body.error && answer.body.error.code) || 'other';
    return words.refusals[code] || words.refusals.other;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  var state = { loaded: false, answer: null, notice: null };

  function load() {
    var member = identity ? request('/member', Object.assign({ lang: lang, cart_total: cartTotal || null }, identity))
      : Promise.resolve(null);
    return member.then(function (answer) {
      if (answer && answer.ok) { return answer; }
      if (answer && answer.body.error && answer.body.error.code !== 'not_a_member') {
        return answer;  // a refused identity is said, never shown as a guest's panel
      }
      state.notMember = !!answer;
      return request('/program?lang=' + lang + (cartTotal ? '&cart_total=' + encodeURIComponent(cartTotal) : ''));
    }).then(function (answer) {
      state.loaded = answer.ok;
      state.answer = answer.ok ? answer.body : null;
      render(answer.ok ? null : refusalText(answer));
    });
  }

  function redeem(reward, button) {
    var key = button.getAttribute('data-key') || newKey();
    button.setAttribute('data-key', key);  // a retry of the same click is the same redemption
    button.disabled = true;
    button.textContent = words.redeeming;
    request('/redeem', Object.assign({ lang: lang, reward: reward.id }, identity), { 'Idempotency-Key': key })
      .then(function (answer) {
        if (answer.ok) {
          state.notice = { coupon: answer.body.coupon, pushed: answer.body.pushed };
          announce(say(words.couponReady, { code: answer.body.coupon.code }));
          return load();
        }
        state.notice = { error: refusalText(answer) };
        announce(state.notice.error);
        render(null);
      });
  }

  // --- the panel's sections ------------------------------------------------------------------------
  function section(heading, children) {
    var id = 'lsw-h-' + heading.replace(/\W+/g, '-').toLowerCase();
    return el('section', { 'class': 'lsw-section', 'aria-labelledby': id },
      [el('h3', { id: id, text: heading })].concat(children));
  }

  function couponWords(item) {
    var parts = [say(words.off, { value: item.value_text })];
    if (item.minimum_spend) { parts.push(say(words.minSpend, { amount: item.minimum_spend.text })); }
    if (item.free_shipping) { parts.push(words.freeShipping); }
    return parts.join(' · ');
  }

  function noticeBox() {
    var notice = state.notice;
    if (!notice) { return null; }
    if (notice.error) { return el('p', { 'class': 'lsw-notice lsw-error', role: 'alert', text: notice.error }); }
    var code = notice.coupon.code;
    return el('div', { 'class': 'lsw-notice', tabindex: '-1', 'data-test': 'coupon' }, [
      el('p', { 'class': 'lsw-strong', text: say(words.couponReady, { code: code }) }),
      copyButton(code, say(words.copyCode, { code: code })),
      el('p', { text: words.couponHint + (notice.pushed ? '' : ' ' + words.couponSoon) })]);
  }

  function pointsSection(member, tz) {
    var items = [el('p', { 'class': 'lsw-points' }, [
      el('span', { 'class': 'lsw-big', 'data-test': 'spendable', text: numbers.format(member.points.spendable) }),
      ' ' + words.spendable])];
    if (member.points.pending > 0) { items.push(el('p', { text: say(words.pending, { n: member.points.pending }) })); }
    if (member.expiring.points > 0) {
      items.push(el('p', { 'class': 'lsw-strong', text: say(words.expiring,
        { n: member.expiring.points, date: shopDate(member.expiring.first_date, tz) }) }));
    }
    var next = member.next_reward;
    if (next) {
      items.push(el('p', { text: say(words.nextReward, { n: next.to_go, reward: next.name }) }));
      items.push(progress(words.rewardProgress, next.progress_percent));
    } else { items.push(el('p', { text: words.allRewards })); }
    return el('div', { 'class': 'lsw-section' }, items);
  }

  function tierSection(tier, tz) {
    var items = [el('p', { 'data-test': 'tier', text: say(words.tier, { tier: tier.name, mult: tier.multiplier }) })];
    if (tier.next) {
      var template = tier.next.to_go_metric === 'spend' ? words.nextTierSpend : words.nextTierCount;
      var line = say(template, { amount: tier.next.to_go_text, tier: tier.next.name });
      if (tier.next.before) { line += say(words.before, { date: shopDate(tier.next.before, tz) }); }
      items.push(el('p', { text: line }));
      items.push(progress(words.tierProgress, tier.next.progress_percent));
    } else { items.push(el('p', { text: words.topTier })); }
    return el('div', { 'class': 'lsw-section' }, items);
  }

  function rewardsSection(answer, member) {
    var list = el('ul', { 'class': 'lsw-list' });
    answer.rewards.forEach(function (reward) {
      var row = [el('span', { 'class': 'lsw-strong', text: reward.name }),
        el('span', { text: say(words.pointsN, { n: reward.points }) + ' · ' + couponWords(reward) })];
      if (member) {
        if (reward.affordable) {
          var button = el('button', { type: 'button', 'class': 'lsw-button', 'data-reward': reward.id,
            'aria-label': say(words.redeemName, { reward: reward.name, n: reward.points }), text: words.redeem });
          button.addEventListener('click', function () { redeem(reward, button); });
          row.push(button);
        } else if (answer.open) {
          row.push(el('span', { 'class': 'lsw-muted',
            text: say(words.morePoints, { n: reward.points - member.points.spendable }) }));
        }
      }
      list.appendChild(el('li', { 'class': 'lsw-reward' }, row));
    });
    var parts = [list];
    if (member && !answer.open) { parts.unshift(el('p', { text: words.closed })); }
    return section(words.rewards, parts);
  }

  function couponsSection(member, tz) {
    if (!member.coupons.length) { return null; }
    return section(words.coupons, [el('ul', { 'class': 'lsw-list' }, member.coupons.map(function (coupon) {
      return el('li', {}, [el('code', { text: coupon.code }), ' · ' + say(words.off, { value: coupon.value_text }) +
        (coupon.expires ? ' · ' + say(words.expires, { date: shopDate(coupon.expires, tz) }) : '')]);
    }))]);
  }

  function referralSection(answer, member) {
    if (!member.referral) { return null; }
    var referral = member.referral;
    var text = say(referral.bonus ? words.referralText : words.referralTextNoBonus,
      { value: referral.friend_gets, n: referral.bonus });
    return section(words.referral, [el('p', { text: text }), copyButton(member.referral.link, words.referralLink, words.copyLink),
      el('p', { 'class': 'lsw-muted', text: say(words.referralCode, { code: member.referral.code }) })]);
  }

  function earnSection(answer) {
    return section(words.earn, [el('ul', { 'class': 'lsw-list' }, answer.ways_to_earn.map(function (way) {
      var kind = way.kind === 'orders' && way.points === '1' ? 'orders_one' : way.kind;
      return el('li', { text: say(words.ways[kind] || '', Object.assign({ value: way.value_text }, way)) });
    }))]);
  }

  function vipSection(answer, member, tz) {
    var vip = answer.vip;
    var perks = [say(words.vipMult, { mult: vip.multiplier })];
    if (vip.free_shipping_monthly) { perks.push(words.vipShipping); }
    if (vip.exclusive_coupon) { perks.push(say(words.vipCoupon, { value: vip.exclusive_coupon.value_text })); }
    var intro = member && member.vip.active && member.vip.until ? say(words.vipActive, { date: shopDate(member.vip.until, tz) })
      : say(words.vipHow, { amount: vip.min_spend.text, n: vip.min_orders });
    return section(words.vip, [el('p', { text: intro }), el('ul', { 'class': 'lsw-list' }, perks.map(function (p) {
      return el('li', { text: p });
    }))]);
  }

  function tiersSection(answer) {
    return section(words.tiers, [el('ul', { 'class': 'lsw-list' }, answer.tiers.map(function (tier) {
      return el('li', { text: say(words.tierLine, { tier: tier.name, amount: tier.threshold.text, mult: tier.multiplier }) });
    }))]);
  }

  function cartLine(answer) {
    if (!answer.cart || !answer.cart.points) { return null; }
    return el('p', { 'class': 'lsw-notice lsw-strong', 'data-test': 'cart-earn', text: say(words.cartEarn, { n: answer.cart.points }) });
  }

  function render(refusal) {
    var answer = state.answer;
    var nodes = [];
    body.textContent = '';
    if (refusal) {
      nodes.push(el('p', { 'class': 'lsw-notice lsw-error', role: 'alert', 'data-test': 'refusal', text: refusal }));
    } else {
      var member = answer.member || null;
      var tz = answer.shop.timezone;
      title.textContent = say(member ? words.title : words.guestTitle, { shop: answer.shop.name });
      nodes.push(noticeBox(), cartLine(answer));
      if (member) {
        nodes.push(pointsSection(member, tz), tierSection(member.tier, tz), rewardsSection(answer, member),
          couponsSection(member, tz), referralSection(answer, member));
      } else {
        nodes.push(el('p', { text: state.notMember ? words.notMember : words.joinHint }), rewardsSection(answer, null));
      }
      nodes.push(earnSection(answer), member ? null : tiersSection(answer), vipSection(answer, member, tz));
      launcher.textContent = member ? say(words.launcherPoints, { n: member.points.spendable })
        : (answer.cart && answer.cart.points ? say(words.launcherEarn, { n: answer.cart.points }) : words.launcher);
    }
    nodes.forEach(function (node) { if (node) { body.appendChild(node); } });
    var notice = body.querySelector('.lsw-notice[tabindex]');
    if (notice && !panel.hidden) {
      panel.scrollTop = 0;  // the news at the top, under the dialog's title, not behind it
      notice.focus({ preventScroll: true });
    }
  }

  var styles = el('link', { rel: 'stylesheet', href: base + '/widget/v1/widget.css' });
  document.head.appendChild(styles);
  function mount() {
    var accent = (data.loyaltyColor || '').trim();
    if (accent && window.CSS && CSS.supports('color', accent)) {  // the shop's colour, and a text colour readable on it
      root.style.setProperty('--lsw-accent', accent);
      root.style.setProperty('--lsw-on-accent', contrastOn(accent));
    }
    document.body.appendChild(root);
    load();  // the launcher shows the member's points (or the cart's) before it is opened
  }
  if (document.body) { mount(); } else { document.addEventListener('DOMContentLoaded', mount); }
})();
