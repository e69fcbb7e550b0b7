"""The storefront (/shop/, label `shop`).

Pages (catalog/shop/urls.py, namespace `shop`): `home`, `category` (/c/<code>/: items of the category and below,
attribute facets, sort, 24 a page), `search` (/search/?q=: catalog.search, the typo note, facets when the results
share a category), `item` (/i/<code>/: specification, images, datasheets for customers, offers per selling company
with quantity breaks, availability, the item-action slot, "request a quote"), `datasheet`, `quote_request` (POST),
`quotes` (the customer's requests) and `quote_withdraw` (POST). Back office /cms/quotes/ (namespace `shop_admin`:
`quote_index`, `quote_detail` to answer or decline). API: POST /api/v1/stock/batch, GET /api/v1/stock (scopes
stock:write, stock:read).

Reads: catalog.shop.selectors (`visitor_of(request)` / `visitor_for(user, partner)`, `offers_for(visitor, items)`,
`availability_for`, facets). Writes: catalog.shop.services (`quote_request_create`, `quote_request_answer`,
`quote_request_decline`, `quote_request_withdraw`, `stock_upsert`) and catalog.pricing.services
(`customer_price_line_set`, which answered quotes write through). Other apps fill catalog.shop.slots.
"""
