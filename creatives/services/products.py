from __future__ import annotations

import mimetypes
from decimal import Decimal

from django.core.files.base import File
from django.db import transaction

from creatives.models import Product, ProductImage
from integrations.llm.schemas import ImageInput, ProductAnalysis, ProductBrief

from .providers import llm_provider


def product_create(
    *,
    name: str,
    title: str = "",
    description: str = "",
    selling_points: list[str] | None = None,
    price: Decimal = Decimal("0"),
    currency: str = "USD",
    landing_url: str = "",
    target_market: str = "US",
    language: str = "en",
    images: list[File] | None = None,
) -> Product:
    product = Product(
        name=name, title=title, description=description, selling_points=selling_points or [], price=price,
        currency=currency, landing_url=landing_url, target_market=target_market, language=language,
    )
    product.full_clean()
    with transaction.atomic():
        product.save()
        for image in images or []:
            product_image_add(product=product, image=image)
    return product


def product_image_add(*, product: Product, image: File) -> ProductImage:
    item = ProductImage(product=product, position=product.images.count())
    item.image.save(image.name.rsplit("/", 1)[-1], image, save=False)
    item.full_clean()
    item.save()
    return item


def product_brief(product: Product) -> ProductBrief:
    images = []
    for item in product.images.all():
        mime = mimetypes.guess_type(item.image.name)[0] or "image/png"
        with item.image.open("rb") as handle:
            images.append(ImageInput(data=handle.read(), mime=mime))
    return ProductBrief(
        name=product.name, title=product.title, description=product.description, selling_points=product.selling_points,
        price=product.price, currency=product.currency, target_market=product.target_market,
        language=product.language, images=images,
    )


def product_analysis_ensure(*, product: Product, refresh: bool = False) -> ProductAnalysis:
    """The product's AI analysis (selling points, audience, angle), computed once and kept."""
    if product.analysis and not refresh:
        return ProductAnalysis.model_validate(product.analysis)
    provider = llm_provider()
    analysis = provider.analyze_product(product_brief(product))
    Product.objects.filter(pk=product.pk).update(
        analysis=analysis.model_dump(mode="json"), analysis_provider=type(provider).__name__
    )
    product.analysis = analysis.model_dump(mode="json")
    return analysis
