/* The card form of the pay page: Stripe's Card Element and stripe.confirmCardPayment
   (https://docs.stripe.com/payments/card-element). On success the page only says "confirming" and polls the
   order's status: the order is marked paid by the server when Stripe's signed webhook arrives, never here. */
(function () {
  'use strict'
  var box = document.getElementById('card-payment')
  if (!box) return
  var form = document.getElementById('card-form')
  var submit = document.getElementById('card-submit')
  var errors = document.getElementById('card-errors')
  var status = document.getElementById('card-status')

  function show (element, text) {
    element.textContent = text
    element.hidden = !text
  }

  if (typeof window.Stripe !== 'function') {
    show(errors, box.dataset.messageUnavailable)
    submit.disabled = true
    return
  }
  var stripe = window.Stripe(box.dataset.publishableKey)
  var card = stripe.elements().create('card')
  card.mount('#card-element')
  card.on('change', function (event) {
    show(errors, event && event.error ? event.error.message : '')
  })

  function poll (started) {
    fetch(box.dataset.statusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.json() })
      .then(function (order) {
        if (order.is_paid) {
          show(status, box.dataset.messagePaid)
          window.location.assign(order.order_url)
          return
        }
        if (Date.now() - started > 60000) {
          show(status, box.dataset.messageSlow)
        }
        window.setTimeout(function () { poll(started) }, 1500)
      })
      .catch(function () { window.setTimeout(function () { poll(started) }, 3000) })
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault()
    submit.disabled = true
    show(errors, '')
    stripe.confirmCardPayment(box.dataset.clientSecret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          show(errors, result.error.message || String(result.error))
          submit.disabled = false
          return
        }
        show(status, box.dataset.messageConfirming)
        form.querySelectorAll('input').forEach(function (input) { input.disabled = true })
        poll(Date.now())
      })
  })
})()
