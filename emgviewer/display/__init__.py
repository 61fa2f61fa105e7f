"""What the viewer and the report draw alike: class colours, the ribbon's windows and the
clinical scales. Qt-free and reportlab-free, so the viewer never loads the PDF library."""
