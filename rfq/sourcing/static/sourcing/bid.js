/* The bid form's line totals, for the supplier's comfort while typing: quantity × net unit price, and the gross
   amount with the chosen VAT rate. The server computes the bid from what is submitted; this only shows sums.
   Loaded with `defer` (CSP: 'self' scripts). */
(function () {
  'use strict'

  const form = document.getElementById('bid-form')
  if (!form) return
  const locale = document.documentElement.lang || undefined
  const money = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })

  function number (text) {
    const cleaned = String(text || '').replace(/,/g, '').trim()
    if (!/^\d+(\.\d+)?$/.test(cleaned)) return null
    return Number(cleaned)
  }

  function update (offer) {
    const line = offer.closest('[data-quantity]')
    const totals = offer.querySelector('[data-totals]')
    if (!line || !totals) return
    const quantity = number(line.dataset.quantity)
    const price = number(offer.querySelector('[data-price]').value)
    const tax = number(offer.querySelector('[data-tax]').value)
    if (quantity === null || price === null || price <= 0) {
      totals.hidden = true
      return
    }
    const net = quantity * price
    totals.querySelector('[data-net]').textContent = money.format(net)
    totals.querySelector('[data-gross]').textContent = tax === null ? '—' : money.format(net * (1 + tax / 100))
    totals.hidden = false
  }

  form.querySelectorAll('[data-offer]').forEach(update)
  form.addEventListener('input', function (event) {
    const offer = event.target.closest('[data-offer]')
    if (offer) update(offer)
  })
  form.addEventListener('change', function (event) {
    const offer = event.target.closest('[data-offer]')
    if (offer) update(offer)
  })
})()
