package io.vertlet.runtime;

import io.vertlet.cri.v1.*;
import io.vertx.core.Future;

/** The CRI ImageService of the embedded runtime: images are names only (see {@link ImageStore}). */
final class EmbeddedImageService extends ImageServiceService {

  private final ImageStore images;
  private final Blocking blocking;

  EmbeddedImageService(ImageStore images, Blocking blocking) {
    this.images = images;
    this.blocking = blocking;
  }

  private static <T> T run(Runnable action, T answer) {
    action.run();
    return answer;
  }

  private ImageStatusResponse lookup(ImageStatusRequest req) {
    ImageStatusResponse.Builder out = ImageStatusResponse.newBuilder();
    images.find(req.getImage().getImage()).ifPresent(i -> out.setImage(images.toImage(i)));
    return out.build();
  }

  @Override
  public Future<ListImagesResponse> listImages(ListImagesRequest req) {
    return blocking.call(() -> ListImagesResponse.newBuilder().addAllImages(images.list(req.hasFilter() ? req.getFilter().getImage() : null)).build());
  }

  @Override
  public Future<ImageStatusResponse> imageStatus(ImageStatusRequest req) {
    return blocking.call(() -> lookup(req));
  }

  @Override
  public Future<PullImageResponse> pullImage(PullImageRequest req) {
    return blocking.call(() -> PullImageResponse.newBuilder().setImageRef(images.pull(req.getImage())).build());
  }

  @Override
  public Future<RemoveImageResponse> removeImage(RemoveImageRequest req) {
    return blocking.call(() -> run(() -> images.remove(req.getImage()), RemoveImageResponse.getDefaultInstance()));
  }

  @Override
  public Future<ImageFsInfoResponse> imageFsInfo(ImageFsInfoRequest req) {
    return blocking.call(() -> ImageFsInfoResponse.newBuilder().addImageFilesystems(images.usage()).build());
  }
}
