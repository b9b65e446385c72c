"""Template context shared by every page: the module navigation, with the current module marked; whether the user
may read the audit log (the header links to it for admins)."""

# (label, url name or None while the module is still to come, the url names that belong to the module)
MODULES = [
    ("首页", "core:home", {"core:home"}),
    ("开发区", "zones:list", {"zones:list", "zones:detail"}),
    ("项目", "projects:list", {"projects:list", "projects:detail", "projects:edit", "projects:create",
                               "projects:import"}),
    ("三个一批", "projects:stats", {"projects:stats", "projects:campaigns", "projects:three_un"}),
    ("月度调度", "dispatch:table", {"dispatch:table", "dispatch:report", "dispatch:targets"}),
    ("预警督办", "alerts:warnings", {"alerts:warnings", "alerts:orders", "alerts:order", "alerts:notifications"}),
    ("考核排名", "ranking:list", {"ranking:list", "ranking:zone"}),
    ("招商", "investment:board", {"investment:board", "investment:leads", "investment:lead", "investment:lead_create",
                                  "investment:lead_edit", "investment:events", "investment:event_create",
                                  "investment:event_edit", "investment:funnel"}),
    ("企业服务", "services:home", {"services:home", "services:ticket_new", "services:tickets", "services:ticket",
                                   "services:queues", "services:stats", "services:enterprises", "services:enterprise",
                                   "services:enterprise_import", "services:items", "services:items_import",
                                   "services:cases", "services:case", "services:project", "services:commitments"}),
    ("报表", None, set()),
]


def navigation(request) -> dict:
    from kaifaqu.accounts.roles import can_read_audit

    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    return {"nav_modules": [(label, url, current in names) for label, url, names in MODULES],
            "can_read_audit": can_read_audit(getattr(request, "user", None))}
