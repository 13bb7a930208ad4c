from django.db import transaction
from django.db.models import Max

from ..models import Dimension, Framework, Indicator


@transaction.atomic
def framework_new_version(*, framework: Framework) -> Framework:
    """Copy a (usually locked) framework into the next version, unlocked and ready to edit."""
    latest = Framework.objects.filter(code=framework.code).aggregate(v=Max("version"))["v"] or 0
    copy = Framework.objects.create(
        code=framework.code,
        version=latest + 1,
        name=framework.name,
        name_en=framework.name_en,
        description=framework.description,
    )
    for dimension in framework.dimensions.prefetch_related("indicators"):
        new_dimension = Dimension.objects.create(
            framework=copy,
            code=dimension.code,
            name=dimension.name,
            name_en=dimension.name_en,
            weight=dimension.weight,
            order=dimension.order,
        )
        Indicator.objects.bulk_create(
            Indicator(
                dimension=new_dimension,
                code=i.code,
                name=i.name,
                name_en=i.name_en,
                description=i.description,
                description_en=i.description_en,
                weight=i.weight,
                order=i.order,
                rubric=i.rubric,
            )
            for i in dimension.indicators.all()
        )
    return copy
