from django.db import models


class User(models.Model):
    email = models.EmailField(max_length=320, unique=True)
    display_name = models.CharField(max_length=120)
    created_at = models.DateTimeField()


class Project(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()


class RenderChain(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="chains")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()


class Render(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="renders")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="renders")
    chain = models.ForeignKey(
        RenderChain, on_delete=models.SET_NULL, null=True, related_name="renders"
    )
    chain_position = models.IntegerField(null=True)
    parent_render = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, related_name="children"
    )
    reference_render = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, related_name="referenced_by"
    )
    prompt = models.TextField()
    status = models.CharField(max_length=20, default="queued")
    created_at = models.DateTimeField()


class GalleryItem(models.Model):
    render = models.ForeignKey(
        Render, on_delete=models.CASCADE, related_name="gallery_items"
    )
    title = models.CharField(max_length=200)
    is_public = models.BooleanField(default=False)
    published_at = models.DateTimeField()


class UserCredits(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="credits")
    balance = models.IntegerField(default=0)
    reset_at = models.DateTimeField(null=True)


class SubscriptionPlan(models.Model):
    name = models.CharField(max_length=50, unique=True)
    monthly_credits = models.IntegerField()
    price_cents = models.IntegerField()


class Subscription(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(
        SubscriptionPlan, on_delete=models.PROTECT, related_name="subscriptions"
    )
    status = models.CharField(max_length=20)
    current_period_end = models.DateTimeField()
