from rest_framework import generics, serializers

from djbooks.models import Book, Review


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["reviewer", "rating"]


class BookSerializer(serializers.ModelSerializer):
    best_reviews = ReviewSerializer(many=True, read_only=True, source="top_reviews")

    class Meta:
        model = Book
        fields = ["id", "title", "best_reviews"]


class BookList(generics.ListAPIView):
    queryset = Book.objects.filter(is_published=True).prefetch_related("reviews")
    serializer_class = BookSerializer
