"""StreamField blocks of the parenting site: one reusable body block for articles and class
pages (style.md, habit 10), and the survey's question block.

Every block renders with its own template under templates/cms/blocks/, so an article body is
just `{% include_block page.body %}`.
"""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

RICH_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label="标题文字", max_length=60)
    level = blocks.ChoiceBlock(
        label="级别", choices=[("h2", "二级标题"), ("h3", "三级标题")], default="h2",
    )

    class Meta:
        label = "小标题"
        icon = "title"
        template = "cms/blocks/heading.html"
        preview_value = {"text": "什么时候开始添加辅食", "level": "h2"}


class CaptionedImageBlock(blocks.StructBlock):
    # ImageBlock carries its own alt text (or an explicit "decorative" flag): accessibility
    # is part of the block, not a convention editors must remember.
    image = ImageBlock(label="图片")
    caption = blocks.CharBlock(label="图片说明", required=False, max_length=120)

    class Meta:
        label = "图片"
        icon = "image"
        template = "cms/blocks/image.html"


class TipBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label="类型",
        choices=[("tip", "小贴士"), ("warning", "注意"), ("doctor", "何时就医")],
        default="tip",
    )
    title = blocks.CharBlock(label="标题", required=False, max_length=40)
    text = blocks.RichTextBlock(label="内容", features=["bold", "ol", "ul", "link"])

    class Meta:
        label = "提示框"
        icon = "help"
        template = "cms/blocks/tip.html"
        preview_value = {"kind": "tip", "title": "小贴士", "text": "<p>每次只添加一种新食物，观察 3～5 天。</p>"}


class VideoBlock(blocks.StructBlock):
    """A short video: a file uploaded as a Wagtail document (served by the site itself),
    or a link to a page elsewhere (opened, never embedded, so no third-party asset loads)."""

    title = blocks.CharBlock(label="视频标题", max_length=60)
    file = DocumentChooserBlock(label="视频文件（mp4）", required=False)
    link = blocks.URLBlock(label="或视频链接", required=False)
    caption = blocks.CharBlock(label="说明", required=False, max_length=120)

    class Meta:
        label = "视频"
        icon = "media"
        template = "cms/blocks/video.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("file") and not value.get("link"):
            raise StructBlockValidationError(
                block_errors={"file": ValidationError("请上传视频文件或填写视频链接（二选一）。")}
            )
        return value


class DownloadBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="名称", max_length=60, help_text="如：婴幼儿辅食添加手册、家庭安全海报")
    document = DocumentChooserBlock(label="文件")
    description = blocks.CharBlock(label="说明", required=False, max_length=120)

    class Meta:
        label = "手册/海报下载"
        icon = "download"
        template = "cms/blocks/download.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label="段落", features=RICH_FEATURES, template="cms/blocks/paragraph.html")
    heading = HeadingBlock()
    image = CaptionedImageBlock()
    tip = TipBlock()
    video = VideoBlock()
    download = DownloadBlock()

    class Meta:
        label = "正文"


# --- Survey --------------------------------------------------------------------------------


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label="题目", max_length=200)
    options = blocks.ListBlock(blocks.CharBlock(label="选项", max_length=100), label="选项", min_num=2, max_num=6)
    correct_option = blocks.IntegerBlock(
        label="正确选项序号", min_value=1, max_value=6, help_text="从 1 开始数：第一个选项填 1",
    )
    explanation = blocks.TextBlock(label="解析", help_text="答完后向家长显示，说明为什么")

    class Meta:
        label = "选择题"
        icon = "help"

    def clean(self, value):
        value = super().clean(value)
        if value["correct_option"] > len(value["options"]):
            raise StructBlockValidationError(
                block_errors={
                    "correct_option": ValidationError(
                        f"正确选项序号超出范围：本题只有 {len(value['options'])} 个选项。"
                    )
                }
            )
        return value


class QuestionsBlock(blocks.StreamBlock):
    question = QuestionBlock()

    class Meta:
        min_num = 1
