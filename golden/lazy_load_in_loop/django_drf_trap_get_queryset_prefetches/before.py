from rest_framework import generics, serializers

from djbooks.models import Book


class BookSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name")
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Book
        fields = ["id", "title", "author", "tags"]


class BookList(generics.ListAPIView):
    queryset = Book.objects.filter(is_published=True)
    serializer_class = BookSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("author").prefetch_related("tags")
