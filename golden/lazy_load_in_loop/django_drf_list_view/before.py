from rest_framework import generics, serializers

from djbooks.models import Author, Book


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name"]


class BookSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    publisher = serializers.CharField(source="author.publisher.name")
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Book
        fields = ["id", "title", "author", "publisher", "tags"]


class BookList(generics.ListAPIView):
    queryset = Book.objects.filter(is_published=True)
    serializer_class = BookSerializer
