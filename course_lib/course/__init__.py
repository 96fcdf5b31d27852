"""The machinery around the course, apart from the neural-network library a learner reads.

`checks` (exercise checks), `playgrounds` (the logic behind the widgets), `drawpad` (notebook 08's
draw-a-digit canvas, an anywidget), `nbgrader_cells` (the nbgrader metadata of the instructor notebooks),
`setup_check` (notebook 00), `student` (the student-edition builder), `train_mnist` and `train_cnn` (the
training command lines, `make train` and `make train-cnn`) and `mnist_sources` (where MNIST comes from,
verified). The core (`course_lib.<module>`) never imports from here, with one exception:
`course_lib.data.load_mnist` calls `mnist_sources` inside the function, so that importing the core stays
light.
"""
