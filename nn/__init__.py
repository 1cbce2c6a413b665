"""Neural-network building blocks made of ``autograd.Value``s."""

__all__: list[str] = []
