"""Flask extensions, created unbound and attached in `create_app` (Flask tutorial style).

`csrf` is here, not in the admin package, because every web part meets it: the
admin panel turns it on for the whole app (admin/__init__.py), the storefront
exempts its token-authenticated blueprints."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
