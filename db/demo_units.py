"""Names of the demo's units: the central committee, ministries, the 34 provinces, Hanoi and Gia Lai communes."""

from __future__ import annotations

CENTRAL = ("BCDTW", "Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số")

MINISTRIES: list[tuple[str, str]] = [
    ("BKHCN", "Bộ Khoa học và Công nghệ"),
    ("BCA", "Bộ Công an"),
    ("BQP", "Bộ Quốc phòng"),
    ("BTC", "Bộ Tài chính"),
    ("BGDDT", "Bộ Giáo dục và Đào tạo"),
    ("BCT", "Bộ Công Thương"),
    ("BTP", "Bộ Tư pháp"),
    ("BXD", "Bộ Xây dựng"),
    ("BNV", "Bộ Nội vụ"),
    ("BNG", "Bộ Ngoại giao"),
    ("BNNMT", "Bộ Nông nghiệp và Môi trường"),
    ("BYT", "Bộ Y tế"),
    ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("BDTTG", "Bộ Dân tộc và Tôn giáo"),
    ("TTCP", "Thanh tra Chính phủ"),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam"),
    ("VPCP", "Văn phòng Chính phủ"),
    ("VPTW", "Văn phòng Trung ương Đảng"),
    ("TANDTC", "Tòa án nhân dân tối cao"),
    ("VKSNDTC", "Viện kiểm sát nhân dân tối cao"),
    ("KTNN", "Kiểm toán nhà nước"),
    ("VHLKHCN", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam"),
]

PROVINCES: list[tuple[str, str]] = [
    ("HN", "Thành phố Hà Nội"),
    ("HCM", "Thành phố Hồ Chí Minh"),
    ("HP", "Thành phố Hải Phòng"),
    ("DNG", "Thành phố Đà Nẵng"),
    ("HUE", "Thành phố Huế"),
    ("CTO", "Thành phố Cần Thơ"),
    ("TQ", "Tỉnh Tuyên Quang"),
    ("CB", "Tỉnh Cao Bằng"),
    ("LCH", "Tỉnh Lai Châu"),
    ("LCI", "Tỉnh Lào Cai"),
    ("TN", "Tỉnh Thái Nguyên"),
    ("DB", "Tỉnh Điện Biên"),
    ("LS", "Tỉnh Lạng Sơn"),
    ("SL", "Tỉnh Sơn La"),
    ("PT", "Tỉnh Phú Thọ"),
    ("BN", "Tỉnh Bắc Ninh"),
    ("QNI", "Tỉnh Quảng Ninh"),
    ("HY", "Tỉnh Hưng Yên"),
    ("NB", "Tỉnh Ninh Bình"),
    ("TH", "Tỉnh Thanh Hóa"),
    ("NA", "Tỉnh Nghệ An"),
    ("HT", "Tỉnh Hà Tĩnh"),
    ("QT", "Tỉnh Quảng Trị"),
    ("QNG", "Tỉnh Quảng Ngãi"),
    ("GL", "Tỉnh Gia Lai"),
    ("KH", "Tỉnh Khánh Hòa"),
    ("LD", "Tỉnh Lâm Đồng"),
    ("DLK", "Tỉnh Đắk Lắk"),
    ("DNI", "Tỉnh Đồng Nai"),
    ("TNI", "Tỉnh Tây Ninh"),
    ("VL", "Tỉnh Vĩnh Long"),
    ("DT", "Tỉnh Đồng Tháp"),
    ("AG", "Tỉnh An Giang"),
    ("CM", "Tỉnh Cà Mau"),
]

DEPARTMENTS: list[tuple[str, str]] = [
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SNV", "Sở Nội vụ"),
    ("STC", "Sở Tài chính"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"),
    ("VPUB", "Văn phòng Ủy ban nhân dân"),
]

HANOI_WARDS = (
    "Hoàn Kiếm, Cửa Nam, Ba Đình, Ngọc Hà, Giảng Võ, Hai Bà Trưng, Vĩnh Tuy, Bạch Mai, Đống Đa, Kim Liên, "
    "Văn Miếu - Quốc Tử Giám, Láng, Ô Chợ Dừa, Hồng Hà, Lĩnh Nam, Hoàng Mai, Vĩnh Hưng, Tương Mai, Định Công, "
    "Hoàng Liệt, Yên Sở, Thanh Xuân, Khương Đình, Phương Liệt, Cầu Giấy, Nghĩa Đô, Yên Hòa, Tây Hồ, Phú Thượng, "
    "Tây Tựu, Phú Diễn, Xuân Đỉnh, Đông Ngạc, Thượng Cát, Từ Liêm, Xuân Phương, Tây Mỗ, Đại Mỗ, Long Biên, Bồ Đề, "
    "Việt Hưng, Phúc Lợi, Hà Đông, Dương Nội, Yên Nghĩa, Phú Lương, Kiến Hưng, Thanh Liệt, Chương Mỹ, Sơn Tây, "
    "Tùng Thiện"
).split(", ")

HANOI_COMMUNES = (
    "Sóc Sơn, Đa Phúc, Nội Bài, Trung Giã, Kim Anh, Đông Anh, Phúc Thịnh, Thư Lâm, Thiên Lộc, Vĩnh Thanh, "
    "Mê Linh, Yên Lãng, Tiến Thắng, Quang Minh, Gia Lâm, Thuận An, Bát Tràng, Phù Đổng, Thanh Trì, Đại Thanh, "
    "Nam Phù, Ngọc Hồi, Thượng Phúc, Thường Tín, Chương Dương, Hồng Vân, Phú Xuyên, Phượng Dực, Chuyên Mỹ, "
    "Đại Xuyên, Thanh Oai, Bình Minh, Tam Hưng, Dân Hòa, Vân Đình, Ứng Thiên, Hòa Xá, Ứng Hòa, Mỹ Đức, "
    "Hồng Sơn, Phúc Sơn, Hương Sơn, Phú Nghĩa, Xuân Mai, Trần Phú, Hòa Phú, Quảng Bị, Minh Châu, Quảng Oai, "
    "Vật Lại, Cổ Đô, Bất Bạt, Suối Hai, Ba Vì, Yên Bài, Đoài Phương, Phúc Thọ, Phúc Lộc, Hát Môn, Thạch Thất, "
    "Hạ Bằng, Tây Phương, Hòa Lạc, Yên Xuân, Quốc Oai, Hưng Đạo, Kiều Phú, Phú Cát, Hoài Đức, Dương Hòa, "
    "Sơn Đồng, An Khánh, Đan Phượng, Ô Diên, Liên Minh"
).split(", ")

GIALAI_WARDS = (
    "Pleiku, Hội Phú, Thống Nhất, Diên Hồng, An Phú, Quy Nhơn, Quy Nhơn Đông, Quy Nhơn Tây, Quy Nhơn Nam, "
    "Quy Nhơn Bắc, An Khê, An Bình, Ayun Pa, Bình Định, An Nhơn, Hoài Nhơn"
).split(", ")

GIALAI_COMMUNES = (
    "Chư Sê, Chư Păh, Ia Grai, Đak Đoa, Mang Yang, Kbang, Kông Chro, Đức Cơ, Chư Prông, Phú Thiện, Krông Pa, "
    "Tuy Phước, Phù Cát, Phù Mỹ, Vĩnh Thạnh, Tây Sơn, Vân Canh, An Lão, Ia Pa, Chư Pưh"
).split(", ")
