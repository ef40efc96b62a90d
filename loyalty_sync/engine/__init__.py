"""The loyalty engine: pure decisions over plain data.

Input: a member's books (`ledger.MemberBooks`), the program
(`program.Program`) and `now`; output: a `plan.Plan` of new ledger lines,
coupons and status that the service writes in one transaction. No Flask, no
database, no clock, no HTTP, no randomness; money is Decimal, points are int.

One concept per module:
- program   the admin's settings, defaults from PRODUCT.md, dict round-trip, validation
- facts     WooCommerce JSON -> OrderFacts / CustomerFacts / ReviewFacts (BadRecord on broken data)
- ledger    the member's books: ledger lines, coupons, VIP periods, order records, pending points
- earning   eligible amount, line multipliers, award_for_order (the formula)
- money     money as text: data ("2.13", half up) and words for people (Babel, the shop's currency)
- tiers     tier metric, promotion at once, demotion after grace
- vip       qualification, paid membership periods, invitations, is_vip / vip_until
- rewards   auto-redeem choices and explicit redemption
- expiry    FIFO lots and inactivity expiry
- coupons   coupon usage / expiry and points restored
- bonuses   referral, review and birthday bonuses
- plan      plan_member (the walk over one member) and apply_plan
- replay    a member's orders replayed through time from empty books (what-if, backfill dry run)
"""
