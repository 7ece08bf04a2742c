from django.shortcuts import get_object_or_404
from ninja import File, Router, Status, UploadedFile

from .models import Product, VideoJob
from .schemas import BatchIn, BatchOut, JobOut, ProductIn, ProductOut
from .services import batch_create, product_create, product_image_add, video_job_retry

router = Router(tags=["creatives"])


@router.get("/products", response=list[ProductOut])
def products(request):
    return Product.objects.prefetch_related("images")


@router.post("/products", response={201: ProductOut})
def product_new(request, payload: ProductIn):
    return Status(201, product_create(**payload.dict()))


@router.post("/products/{int:pk}/images", response={201: ProductOut})
def product_image_upload(request, pk: int, image: File[UploadedFile]):
    product = get_object_or_404(Product, pk=pk)
    product_image_add(product=product, image=image)
    return Status(201, product)


@router.post("/products/{int:pk}/batches", response={201: BatchOut})
def batch_new(request, pk: int, payload: BatchIn):
    product = get_object_or_404(Product, pk=pk)
    jobs = batch_create(product=product, **payload.dict(exclude_none=True))
    return Status(201, {"batch_id": jobs[0].batch_id, "jobs": jobs})


@router.get("/jobs", response=list[JobOut])
def jobs(request, batch_id: str = "", status: str = ""):
    queryset = VideoJob.objects.select_related("parent").order_by("-created_at")
    if batch_id:
        queryset = queryset.filter(batch_id=batch_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset[:500]


@router.get("/jobs/{uuid:job_id}", response=JobOut)
def job(request, job_id):
    return get_object_or_404(VideoJob, job_id=job_id)


@router.post("/jobs/{uuid:job_id}/retry", response=JobOut)
def job_retry(request, job_id):
    return video_job_retry(job=get_object_or_404(VideoJob, job_id=job_id))
