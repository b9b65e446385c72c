"""Template context shared by every page: the module navigation."""

# (label, url name or None while the module is still to come)
MODULES = [
    ("首页", "core:home"),
    ("开发区", "zones:list"),
    ("项目", None),
    ("三个一批", None),
    ("月度调度", None),
    ("考核排名", None),
    ("招商", None),
    ("企业服务", None),
    ("报表", None),
]


def navigation(request) -> dict:
    return {"nav_modules": MODULES}
