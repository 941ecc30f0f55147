"""`layerkit.ops.image`: Keras 3's `keras.ops.image`. Each function lives in the file
of its idea (colour, filters, warps) and is re-exported here."""
from layerkit.ops.image_geometry import (  # noqa: F401
    AFFINE_INTERPOLATIONS, FILL_MODES, RESIZE_INTERPOLATIONS, affine_transform, crop_images,
    pad_images, resize)
from layerkit.ops.image_color import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv  # noqa: F401
from layerkit.ops.image_filters import (extract_patches, extract_patches_3d,  # noqa: F401
                                        gaussian_blur, sobel_edges, ssim)
from layerkit.ops.image_warp import (elastic_transform, map_coordinates,  # noqa: F401
                                     perspective_transform, scale_and_translate)

__all__ = ["resize", "affine_transform", "crop_images", "pad_images", "rgb_to_grayscale",
           "rgb_to_hsv", "hsv_to_rgb", "extract_patches", "extract_patches_3d", "gaussian_blur",
           "sobel_edges", "ssim", "map_coordinates", "perspective_transform",
           "elastic_transform", "scale_and_translate"]
