"""The seed emotion classifier's callbacks (keras-notes.md, "callbacks"), written as the
seed writes them under the `keras` alias, around fit_generator on a small random stand-in
for its data. ModelCheckpoint belongs to the saving work and is left out here."""
import numpy as np


def test_seed_callbacks_log_stop_early_and_reduce_the_rate(keras_alias, tmp_path, capsys):
    from keras.callbacks import CSVLogger, EarlyStopping, ReduceLROnPlateau
    from keras.layers import Conv2D, Dense, Flatten, Input
    from keras.models import Model
    from keras.preprocessing.image import ImageDataGenerator

    rng = np.random.default_rng(0)
    faces = rng.uniform(-1, 1, size=(48, 12, 12, 1)).astype("float32")
    emotions = np.eye(7, dtype="float32")[rng.integers(0, 7, 48)]   # labels without signal
    train_faces, train_emotions = faces[:32], emotions[:32]
    val_data = (faces[32:], emotions[32:])

    inputs = Input((12, 12, 1))
    x = Conv2D(4, 3, activation="relu")(inputs)
    outputs = Dense(7, activation="softmax")(Flatten()(x))
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

    patience = 4
    batch_size = 8
    log_file_path = str(tmp_path / "fer2013_emotion_training.log")
    csv_logger = CSVLogger(log_file_path, append=False)
    early_stop = EarlyStopping('val_loss', patience=patience)
    reduce_lr = ReduceLROnPlateau('val_loss', factor=0.1, patience=int(patience / 4), verbose=1)
    callbacks = [csv_logger, early_stop, reduce_lr]
    data_generator = ImageDataGenerator(rotation_range=10, width_shift_range=0.1,
                                        height_shift_range=0.1, zoom_range=.1,
                                        horizontal_flip=True)
    history = model.fit_generator(data_generator.flow(train_faces, train_emotions, batch_size),
                                  steps_per_epoch=len(train_faces) / batch_size, epochs=200,
                                  verbose=1, callbacks=callbacks, validation_data=val_data)

    epochs = len(history.epoch)
    assert early_stop.stopped_epoch == epochs - 1 < 199            # stopped early
    rates = history.history["learning_rate"]
    assert rates[0] == np.float32(0.001) and min(rates) < rates[0]  # and reduced the rate
    out = capsys.readouterr().out
    assert "ReduceLROnPlateau reducing learning rate to" in out
    lines = open(log_file_path).read().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert len(lines) == epochs + 1
    np.testing.assert_allclose([float(l.split(",")[4]) for l in lines[1:]],
                               history.history["val_loss"], rtol=1e-6)
