"""The loyalty engine: pure decisions over plain data.

Input: a member's books (`ledger.MemberBooks`), the program (`program.Program`)
and `now`; output: a `plan.Plan` of new ledger lines, coupons and status the
service writes in one transaction. No Flask, no database, no clock, no HTTP.
"""
