"""Keras 2's generator methods, kept with Keras 2 behaviour: fit_generator,
evaluate_generator, predict_generator (each a thin call of its modern form). Their
Keras 1 keyword names (nb_epoch, samples_per_epoch …) are renamed with a warning."""
from layerkit.training.legacy_keywords import generator_legacy_keywords


class LegacyTrainingMethods:
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0, **kwargs):
        args = dict(steps_per_epoch=steps_per_epoch, epochs=epochs,
                    validation_steps=validation_steps, max_queue_size=max_queue_size,
                    workers=workers, use_multiprocessing=use_multiprocessing)
        args.update(generator_legacy_keywords("fit_generator", kwargs, args))
        return self.fit(generator, steps_per_epoch=args["steps_per_epoch"],
                        epochs=args["epochs"], verbose=verbose, callbacks=callbacks,
                        validation_data=validation_data,
                        validation_steps=args["validation_steps"],
                        validation_freq=validation_freq, class_weight=class_weight,
                        shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0, **kwargs):
        generator_legacy_keywords("evaluate_generator", kwargs, {
            "max_queue_size", "workers", "use_multiprocessing"})
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0, **kwargs):
        generator_legacy_keywords("predict_generator", kwargs, {
            "max_queue_size", "workers", "use_multiprocessing"})
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)
