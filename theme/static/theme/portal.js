/* The portal's small amount of JavaScript. Everything works without it; this only adds comfort:
   dropdowns close on Escape or an outside click, failed htmx and security-key requests show a message,
   and forms with data-confirm="…" ask before they submit. Loaded with `defer` (CSP: 'self' scripts). */
(function () {
  'use strict'

  function openDropdowns () {
    return document.querySelectorAll('details[data-dropdown][open], details[data-menu][open]')
  }

  document.addEventListener('click', function (event) {
    openDropdowns().forEach(function (details) {
      if (!details.contains(event.target)) details.removeAttribute('open')
    })
  })

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return
    openDropdowns().forEach(function (details) {
      const hadFocus = details.contains(document.activeElement)
      details.removeAttribute('open')
      if (hadFocus) details.querySelector('summary').focus()
    })
  })

  // Opening one dropdown closes the others.
  document.addEventListener('toggle', function (event) {
    const opened = event.target
    if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.matches('[data-dropdown]')) return
    document.querySelectorAll('details[data-dropdown][open]').forEach(function (details) {
      if (details !== opened) details.removeAttribute('open')
    })
  }, true)

  let toastTimer = null
  function showError (text) {
    const toast = document.getElementById('script-error')
    if (!toast) return
    toast.textContent = text || toast.dataset.message
    toast.hidden = false
    window.clearTimeout(toastTimer)
    toastTimer = window.setTimeout(function () { toast.hidden = true }, 8000)
  }

  // allauth's WebAuthn script reports a refused or failed security-key ceremony through this event.
  document.addEventListener('allauth.error', function () { showError() })
  document.addEventListener('htmx:responseError', function () { showError() })
  document.addEventListener('htmx:sendError', function () { showError() })

  document.addEventListener('submit', function (event) {
    const form = event.target
    const question = form instanceof HTMLFormElement ? form.dataset.confirm : null
    if (question && !window.confirm(question)) event.preventDefault()
  })
})()
