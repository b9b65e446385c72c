from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "kaifaqu.projects"
    label = "projects"
    verbose_name = "项目与三个一批"
