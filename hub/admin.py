"""The services behind the admin faces (dashboard and admin API), built once per app.

Users, tokens and the audit log, audited operator actions, statistics, search
and the mapping playground — each a small service over the store and the
registry. The runtime :class:`~hub.runtime.Hub` knows nothing of them (the
workers do not need them); :func:`hub.api.create_app` builds them beside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hub.auth import Actions, AuditLog, AuthService
from hub.auth.throttle import LoginThrottle
from hub.errors import ConfigError
from hub.playground import Playground
from hub.runtime import Hub
from hub.search import MessageSearch
from hub.settings import DEFAULT_ADMIN_PASSWORD, PRODUCTION_REFUSAL
from hub.stats import Stats

log = logging.getLogger("hub.admin")


@dataclass
class AdminServices:
    hub: Hub
    auth: AuthService
    audit: AuditLog
    throttle: LoginThrottle
    actions: Actions
    stats: Stats
    search: MessageSearch
    playground: Playground

    @classmethod
    def build(cls, hub: Hub) -> AdminServices:
        audit = AuditLog(hub.db)
        services = cls(
            hub=hub, auth=AuthService(hub.db), audit=audit, throttle=LoginThrottle(hub.db),
            actions=Actions(ops=hub.operations, audit=audit, registry=hub.registry, presence=hub.presence,
                            reconciler=hub.reconciler),
            stats=Stats(db=hub.db, registry=hub.registry, ops=hub.operations, circuits=hub.circuits),
            search=MessageSearch(hub.db),
            playground=Playground(registry=hub.registry, ops=hub.operations, xref=hub.xrefs.resolve))
        services.bootstrap()
        return services

    def bootstrap(self) -> None:
        """Create the first admin from HUB_ADMIN_USER / HUB_ADMIN_PASSWORD when there is no user yet.

        In production the development password is refused: as the first admin's, and while the
        admin still has it (ConfigError naming HUB_ADMIN_PASSWORD).
        """
        s = self.hub.settings
        password = s.admin_password.get_secret_value()
        if s.production and password == DEFAULT_ADMIN_PASSWORD and (
                not self.auth.has_admin() or self.auth.has_password(s.admin_user, password)):
            raise ConfigError(PRODUCTION_REFUSAL + f"HUB_ADMIN_PASSWORD is the development default "
                              f"{DEFAULT_ADMIN_PASSWORD!r}: set a strong one (the first admin, {s.admin_user!r}, "
                              "is created with it)")
        created = self.auth.ensure_admin(s.admin_user, password)
        if created:
            self.audit.record("system", "user.create", s.admin_user, via="system", detail={"role": "admin"})
        if password == DEFAULT_ADMIN_PASSWORD and self.auth.has_password(s.admin_user, password):
            log.warning("the dashboard admin %r has the development password %r: set HUB_ADMIN_PASSWORD "
                        "(or change it on /ui/users) before this hub is reachable by others",
                        s.admin_user, DEFAULT_ADMIN_PASSWORD)
